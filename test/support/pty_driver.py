"""Run a command on a fresh pseudo-terminal and script the person at it.

Input (JSON on stdin): {"argv": [...], "env": {...}, "cwd": "...", "cols": 80, "rows": 24,
"steps": [{"expect": "text", "send": "keys"}, ...], "timeout": seconds}
Each step waits until `expect` has appeared in the output since the previous step, then types
`send`. Output (JSON on stdout): {"output": "...", "code": int|null, "signal": int|null,
"timedOut": bool, "failedStep": int|null}.
"""
import fcntl, json, os, pty, select, signal, struct, sys, termios, time

req = json.load(sys.stdin)
pid, fd = pty.fork()
if pid == 0:
    os.chdir(req.get("cwd") or ".")
    os.execvpe(req["argv"][0], req["argv"], req["env"])
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", req.get("rows", 24), req.get("cols", 80), 0, 0))
deadline = time.time() + req.get("timeout", 20)
out = b""
seen = 0
steps = req.get("steps", [])
step = 0
failed = None
status = None
timed_out = False

def pump(wait):
    global out
    r, _, _ = select.select([fd], [], [], wait)
    if not r:
        return True
    try:
        data = os.read(fd, 65536)
    except OSError:
        return False
    if not data:
        return False
    out += data
    return True

alive = True
while alive:
    if time.time() > deadline:
        timed_out = True
        failed = step if step < len(steps) else None
        os.kill(pid, signal.SIGKILL)
        break
    if step < len(steps):
        want = steps[step]["expect"].encode()
        at = out.find(want, seen)
        if at >= 0:
            seen = at + len(want)
            time.sleep(steps[step].get("pause", 0.05))
            os.write(fd, steps[step]["send"].encode())
            step += 1
            continue
    alive = pump(0.05)
    done, st = os.waitpid(pid, os.WNOHANG)
    if done:
        status = st
        while pump(0.05):
            pass
        break
if status is None:
    _, status = os.waitpid(pid, 0)
if step < len(steps) and failed is None:
    failed = step
json.dump({
    "output": out.decode("utf-8", "replace"),
    "code": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
    "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
    "timedOut": timed_out,
    "failedStep": failed,
}, sys.stdout)
