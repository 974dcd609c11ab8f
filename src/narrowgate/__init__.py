"""narrowgate: a thesis file goes in; data, models, back-tests and a scorecard come out."""

__version__ = "0.1.0"
