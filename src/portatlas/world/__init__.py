"""The world's facts beside the registry: what commonly runs on ports, the browsers' bad ports, nmap's table."""
