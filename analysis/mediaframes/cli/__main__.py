"""``python -m mediaframes.cli``: the same as the ``mediaframes`` command."""

from . import main

main()
