from finnegans.cli import main

main()
