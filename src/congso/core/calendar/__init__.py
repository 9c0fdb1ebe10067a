"""Working-day calendar: weekends, Vietnamese public holidays, the state's yearly overrides and
one-stop deadlines. Other modules use :mod:`congso.core.calendar.services` only."""
