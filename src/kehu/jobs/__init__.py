"""Jobs: the one pipeline `kehu run`, `kehu schedule` and `kehu demo` all take."""
