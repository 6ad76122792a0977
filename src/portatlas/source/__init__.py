"""Where registry editions come from: the edition shipped in the package, the one in use, and downloads."""
