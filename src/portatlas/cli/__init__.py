"""The command line: each command module parses its arguments, asks the library, renders."""
