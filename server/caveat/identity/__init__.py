"""Who is calling: the permissions of the API, the roles people act in, the tokens of the
organisation's identity provider, and the service keys of scripts."""
