"""Reading mail into facts.

Everything a client sends (a raw message, or the headers, addresses, subject and body
snippet a mail client can see) becomes one immutable :class:`~caveat.mail.facts.Facts`
here: addresses parsed and folded, Authentication-Results parsed, HTML turned into the
text a person sees, sizes bounded. Nothing in this package knows the directory, the
memory, the checks or the database; it imports nothing else of Caveat.
"""
