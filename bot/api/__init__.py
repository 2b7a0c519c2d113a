"""The departures API: HR's systems register, read, change and cancel departures over HTTP."""
