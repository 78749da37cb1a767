"""`provision verify`: prove each check of a scenario with the identity's own token.

    run.py          verify(): plan every check, run the probes of each identity, judge the outcomes
    abilities.py    what each ability does on each kind of target (the probe actions)
    actors.py       which VM or web app a probe runs in, and as which of its identities
    locate.py       the parameters of each access: ids from the state, endpoints read as the operator
    runner.py       the runner interface and the probe request
    local.py        local cloud: the probe as a child process with the VM's or web app's identity environment
    runcommand.py   Azure: the runner that makes the accesses inside the VM through Run Command
    runcommand_calls.py     the URLs and bodies of each in-VM access, validated before any script sees them
    runcommand_linux.py     the POSIX sh + curl script; runcommand_windows.py: the PowerShell one
    runcommand_output.py    reading the scripts' result lines
    probe.py        `python -m provisioner.verify.probe`: the program acting as the identity (protocol there)
    probe_steps.py  the accesses the probe makes with the Azure SDKs
    model.py        outcomes, results and the report

Nothing here is imported by the package itself, so the probe starts with only what it needs.
"""
