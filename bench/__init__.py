"""kehu benchmark harness: `python -m bench --help`."""
