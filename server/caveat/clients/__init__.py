"""Builders of what the mail clients install.

The Outlook add-in's XML manifest and the Thunderbird extension's XPI, each for one
deployment's address and key. They import nothing of the engine or the service: they only
package the add-in files and point them at the service.
"""
