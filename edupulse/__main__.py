from edupulse.cli import main

main()
