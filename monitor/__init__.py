"""gongkai monitor: configuration, rules, store, reports and the command line."""

__version__ = "0.1.0"
