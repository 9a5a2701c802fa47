"""Package registry clients: metadata a vetting run and the policies need, never code."""
