from infoops.cli import main

main()
