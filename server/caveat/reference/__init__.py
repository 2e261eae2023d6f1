"""Reference data shipped with Caveat, and the lookups built on it.

The free-mail provider list, the look-alike index (confusable characters, edit distance,
punycode), the bank-change phrase lists of every language and the bank identifier
readers (IBAN, BIC, routing and sort codes). The lists themselves are data files in
``caveat/data``; this package loads, validates and indexes them. It reads only
:mod:`caveat.mail`.
"""
