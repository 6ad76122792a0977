"""Pure functions over a compiled index: no I/O, no framework imports."""
