"""What a check may consult besides the message.

The site configuration (our own domains, whose Authentication-Results we trust), the
partner directory as an indexed read-only snapshot, the conversation memory's snapshot
for one message, and :class:`~caveat.knowledge.context.Context`, which hands them to the
checks. Also the partner CSV format and the Verify sender lookup, both plain reads of the
directory. Snapshots are built by :mod:`caveat.service` from :mod:`caveat.storage`; this
package never touches the database itself.
"""
