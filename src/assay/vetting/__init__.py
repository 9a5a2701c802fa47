"""Package vetting: check a package before it is let in, without ever running it."""
