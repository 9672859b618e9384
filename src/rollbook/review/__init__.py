"""What a change does to the rollbacks it touches, for the people who review it.

- :mod:`.git_tree`: the project as it was at a git ref, written to a temporary folder.
- :mod:`.snapshot`: runbooks by id and features by key, read from a folder.
- :mod:`.compare`: two snapshots -> changes in reviewer terms, weakening marked.
- :mod:`.sources`: what feature sources changed (rollout, targeting, default variant, new
  keys), and whether the runbook changed with them.
- :mod:`.report`: the diff as text, Markdown or JSON.
- :mod:`.comment`: the Markdown posted as one pull-request comment (GitHub) or
  merge-request note (GitLab), updated on each push.
"""
