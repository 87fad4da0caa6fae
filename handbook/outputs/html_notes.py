"""Render rules for footnotes: calls, the end list and its back links, or the note's text at its
call when the flavour prints notes inline. They read the Flavour from `env` like html.py's rules."""

from __future__ import annotations

from markupsafe import Markup


def _note_name(env, token) -> str:
    return f"{env['docId']}-{token.meta['id'] + 1}"


def _ref_id(env, token) -> str:
    sub = token.meta.get("subId", 0)
    return env["target"].anchor(f"fnref-{_note_name(env, token)}" + (f"-{sub}" if sub else ""))


def _footnote_ref(self, tokens, idx, options, env):
    token = tokens[idx]
    flavour = env["target"]
    if flavour.inline_notes:
        return str(flavour.markup.note_inline(_ref_id(env, token), Markup(env["notes"].get(token.meta["id"], ""))))
    return str(flavour.markup.noteref(token.meta["id"] + 1, flavour.anchor(f"fn-{_note_name(env, token)}"),
                                      _ref_id(env, token)))


def _footnote_block_open(self, tokens, idx, options, env):
    return "" if env["target"].inline_notes else str(env["target"].markup.notes_open())


def _footnote_block_close(self, tokens, idx, options, env):
    return "" if env["target"].inline_notes else str(env["target"].markup.notes_close())


def _footnote_open(self, tokens, idx, options, env):
    if env["target"].inline_notes:
        return ""
    return str(env["target"].markup.note_open(env["target"].anchor(f"fn-{_note_name(env, tokens[idx])}")))


def _footnote_close(self, tokens, idx, options, env):
    return "" if env["target"].inline_notes else str(env["target"].markup.note_close())


def _footnote_anchor(self, tokens, idx, options, env):
    if env["target"].inline_notes:
        return ""
    return str(env["target"].markup.backref(_ref_id(env, tokens[idx])))


RULES = {
    "footnote_ref": _footnote_ref,
    "footnote_block_open": _footnote_block_open,
    "footnote_block_close": _footnote_block_close,
    "footnote_open": _footnote_open,
    "footnote_close": _footnote_close,
    "footnote_anchor": _footnote_anchor,
}
