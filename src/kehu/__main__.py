"""`python -m kehu …` (and `spark-submit …/kehu/__main__.py …`): the kehu command line."""

from kehu.cli import main

if __name__ == "__main__":
    main()
