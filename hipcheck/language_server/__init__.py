"""hipcheck in the author's editor: a Language Server Protocol server (`hipcheck server`).

Needs the `lsp` extra (`pip install 'hipcheck[lsp]'`: pygls and lsprotocol); nothing else in hipcheck
imports this package.
"""
