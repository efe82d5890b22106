"""Programs that assemble the core and the plugins: the web host, the NFC host, the CLI."""
