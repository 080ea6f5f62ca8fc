// The entry point of a dependencies-only image: a Python script (standard library only) that
// downloads the module's code at its commit when the container starts, then runs the entry point
// with the container's arguments. The image holds no code and no secret; everything comes from
// the environment of `docker run`:
//
//   BERTH_CODE_ARCHIVE_URL   required. A .tar.gz of the repository at the commit (GitHub's
//                            /repos/O/R/tarball/SHA, GitLab's /projects/ID/repository/archive.tar.gz?sha=SHA),
//                            http(s) or file://. A single top-level folder is stripped.
//   BERTH_ENTRY_POINT        required. The entry point, relative to the project folder.
//   BERTH_CODE_SUBDIRECTORY  the project folder inside the repository (POSIX); default: the root.
//   BERTH_CODE_COMMIT        the commit, shown in the log.
//   BERTH_CODE_TOKEN_STDIN   `1`: the first line of stdin is a token for a private repository, sent
//                            only with the request to the archive URL (never on a redirect:
//                            GitHub's codeload URL carries its own ticket). `berth run` attaches
//                            stdin, writes the token and closes it. There is deliberately no
//                            variable holding the token itself: `docker inspect` shows every
//                            variable of a container. By hand: `echo "$TOKEN" | docker run -i
//                            -e BERTH_CODE_TOKEN_STDIN=1 ...`.
//   BERTH_CODE_TOKEN_HEADER  its header: `Authorization` (default; sent as `Bearer TOKEN`) or e.g.
//                            `PRIVATE-TOKEN` for GitLab (sent as is).
//   BERTH_CODE_SNAPSHOT_DIGEST  sha256:… of a code snapshot to apply on top of the commit
//                            (uncommitted work recorded at publish time). Its bytes are checked
//                            against the digest before anything is applied.
//   BERTH_CODE_SNAPSHOT_URL  where to fetch it: a registry blob URL (`/v2/NAME/blobs/DIGEST`), or
//                            `stdin` (the next stdin line holds it, base64: snapshots kept in the
//                            profile store). With BERTH_CODE_SNAPSHOT_AUTH_STDIN=1 the next stdin
//                            line is the registry's Authorization header value, sent only to the
//                            registry (never on a redirect).
//   BERTH_CODE_DIR           where the code goes; default /berth/module (as in a full image).
//   BERTH_CODE_TIMEOUT       seconds for the download; default 120.
//
//   BERTH_CODE_INPUT_FILE    a file read instead of stdin for the lines above (a Swarm secret under
//                            /run/secrets: a service has no stdin).
//
// Every BERTH_CODE_* variable is removed before the entry point starts, and stdin has been read
// to its end, so user code never sees the token. Extraction is checked: no entry may land outside the code folder (absolute paths,
// `..`, links pointing out), devices are refused, a truncated download is an error.
//
// Any change to this script changes the dependency checksum (it is hashed), so images built with
// an older bootstrap are not reused by mistake.

export const BOOTSTRAP_SCRIPT = String.raw`#!/usr/bin/env python3
"""berth bootstrap: download the module's code at its commit, then run its entry point."""
import base64
import hashlib
import io
import json
import os
import posixpath
import shutil
import sys
import tarfile
import tempfile
import urllib.parse
import urllib.request

EXIT_SETUP = 70


def fail(message):
    sys.stderr.write("berth bootstrap: " + message + "\n")
    sys.stderr.flush()
    sys.exit(EXIT_SETUP)


def public_url(url):
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host += ":" + str(parts.port)
    return urllib.parse.urlunsplit((parts.scheme, host, parts.path, "", ""))


def download(url, token, header, timeout, target):
    request = urllib.request.Request(url)
    if token:
        value = "Bearer " + token if header.lower() == "authorization" else token
        # Unredirected: a redirect to another host never receives the token.
        request.add_unredirected_header(header, value)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            expected = response.headers.get("Content-Length") if hasattr(response, "headers") else None
            received = 0
            with open(target, "wb") as out:
                while True:
                    chunk = response.read(1 << 16)
                    if not chunk:
                        break
                    received += len(chunk)
                    out.write(chunk)
    except Exception as error:  # noqa: BLE001 - every failure ends the same way
        status = getattr(error, "code", None)
        fail("could not download the code from " + public_url(url)
             + (" (HTTP " + str(status) + ")" if status else " (" + type(error).__name__ + ")"))
    if expected is not None and expected.isdigit() and int(expected) != received:
        fail("the download of " + public_url(url) + " was cut short ("
             + str(received) + " of " + expected + " bytes)")


def inside(root, path):
    root = os.path.realpath(root)
    path = os.path.realpath(path)
    return path == root or path.startswith(root + os.sep)


def clean_name(name):
    name = name.replace("\\", "/")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return None
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts):
        return None
    return parts


def extract(archive, subdirectory, destination):
    try:
        tar = tarfile.open(archive, "r:*")
        members = tar.getmembers()
    except (tarfile.TarError, EOFError, OSError) as error:
        fail("the code archive is damaged or incomplete (" + str(error) + ")")
    named = []
    for member in members:
        parts = clean_name(member.name)
        if parts is None:
            fail("the code archive has an entry outside its folder: " + member.name)
        if parts:
            named.append((member, parts))
    tops = set(parts[0] for _, parts in named)
    strip = 1 if len(tops) == 1 and all(len(p) > 1 or m.isdir() for m, p in named) else 0
    prefix = [p for p in subdirectory.split("/") if p not in ("", ".")]
    files = 0
    os.makedirs(destination, exist_ok=True)
    for member, parts in named:
        parts = parts[strip:]
        if parts[:len(prefix)] != prefix:
            continue
        parts = parts[len(prefix):]
        if not parts:
            continue
        target = os.path.join(destination, *parts)
        if not inside(destination, os.path.dirname(target)):
            fail("the code archive has an entry outside its folder: " + member.name)
        if member.isdir():
            os.makedirs(target, exist_ok=True)
            continue
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if os.path.lexists(target) and not os.path.isdir(target):
            os.unlink(target)
        if member.issym():
            link = posixpath.normpath(posixpath.join(posixpath.dirname("/".join(parts)), member.linkname))
            if member.linkname.startswith("/") or link == ".." or link.startswith("../"):
                fail("the code archive has a link pointing outside its folder: " + member.name)
            os.symlink(member.linkname, target)
        elif member.islnk():
            source_parts = clean_name(member.linkname)
            if source_parts is None:
                fail("the code archive has a link pointing outside its folder: " + member.name)
            source_parts = source_parts[strip:]
            if source_parts[:len(prefix)] != prefix:
                fail("the code archive has a link pointing outside the project: " + member.name)
            source = os.path.join(destination, *source_parts[len(prefix):])
            if not inside(destination, source) or not os.path.isfile(source):
                fail("the code archive has a link pointing outside its folder: " + member.name)
            shutil.copyfile(source, target)
            os.chmod(target, member.mode & 0o777 | 0o600)
            files += 1
        elif member.isfile():
            data = tar.extractfile(member)
            if data is None:
                fail("the code archive is missing the contents of " + member.name)
            with open(target, "wb") as out:
                shutil.copyfileobj(data, out)
            if os.path.getsize(target) != member.size:
                fail("the code archive is incomplete at " + member.name)
            os.chmod(target, member.mode & 0o777 | 0o600)
            files += 1
        else:
            fail("the code archive has a special file (device or pipe): " + member.name)
    tar.close()
    return files


INPUT = []


def read_line():
    try:
        stream = INPUT[0] if INPUT else sys.stdin.buffer
        return stream.readline().decode("utf-8", "replace").strip()
    except (OSError, ValueError):
        return ""


def fetch_snapshot(url, authorization, timeout):
    if url == "stdin":
        try:
            return base64.b64decode(read_line(), validate=True)
        except (ValueError, TypeError):
            fail("the code snapshot on stdin is not base64")
    request = urllib.request.Request(url)
    if authorization:
        request.add_unredirected_header("Authorization", authorization)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.read()
    except Exception as error:  # noqa: BLE001 - every failure ends the same way
        status = getattr(error, "code", None)
        fail("could not fetch the code snapshot from " + public_url(url)
             + (" (HTTP " + str(status) + ")" if status else " (" + type(error).__name__ + ")"))


# Checks the snapshot against its digest, then writes its files and removes its deletions.
def apply_snapshot(data, digest, subdirectory, destination):
    if "sha256:" + hashlib.sha256(data).hexdigest() != digest:
        fail("the code snapshot does not match its digest " + digest + ": nothing was applied")
    try:
        tar = tarfile.open(fileobj=io.BytesIO(data), mode="r:gz")
        members = tar.getmembers()
        meta = json.loads(tar.extractfile("berth-snapshot.json").read().decode("utf-8"))
    except Exception as error:  # noqa: BLE001
        fail("the code snapshot is damaged (" + str(error) + ")")
    prefix = [p for p in subdirectory.split("/") if p not in ("", ".")]

    def local(name):
        parts = clean_name(name)
        if parts is None:
            fail("the code snapshot has an entry outside its folder: " + name)
        if parts[:len(prefix)] != prefix or len(parts) == len(prefix):
            return None
        target = os.path.join(destination, *parts[len(prefix):])
        if not inside(destination, os.path.dirname(target)):
            fail("the code snapshot has an entry outside its folder: " + name)
        return target

    changed = 0
    for name in meta.get("deleted", []):
        target = local(name)
        if target and os.path.lexists(target) and not os.path.isdir(target):
            os.unlink(target)
            changed += 1
    for member in members:
        if not member.name.startswith("files/"):
            continue
        target = local(member.name[len("files/"):])
        if not target:
            continue
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if os.path.lexists(target) and not os.path.isdir(target):
            os.unlink(target)
        if member.issym():
            rel = "/".join(clean_name(member.name[len("files/"):])[len(prefix):])
            link = posixpath.normpath(posixpath.join(posixpath.dirname(rel), member.linkname))
            if member.linkname.startswith("/") or link == ".." or link.startswith("../"):
                fail("the code snapshot has a link pointing outside its folder: " + member.name)
            os.symlink(member.linkname, target)
        elif member.isfile():
            with open(target, "wb") as out:
                shutil.copyfileobj(tar.extractfile(member), out)
            os.chmod(target, member.mode & 0o777 | 0o600)
        else:
            fail("the code snapshot has a special file: " + member.name)
        changed += 1
    tar.close()
    return changed


def main():
    url = os.environ.get("BERTH_CODE_ARCHIVE_URL", "")
    entry = os.environ.get("BERTH_ENTRY_POINT", "")
    if not url or not entry:
        fail("this image downloads its code when it starts: set BERTH_CODE_ARCHIVE_URL and BERTH_ENTRY_POINT "
             "(berth run does this for you)")
    subdirectory = os.environ.get("BERTH_CODE_SUBDIRECTORY", "")
    commit = os.environ.get("BERTH_CODE_COMMIT", "")
    input_file = os.environ.get("BERTH_CODE_INPUT_FILE", "")
    if input_file:
        try:
            INPUT.append(open(input_file, "rb"))
        except OSError as error:
            fail("could not read " + input_file + " (" + type(error).__name__ + ")")
    token = ""
    if os.environ.get("BERTH_CODE_TOKEN_STDIN", "") == "1":
        token = read_line()
    snapshot_digest = os.environ.get("BERTH_CODE_SNAPSHOT_DIGEST", "")
    snapshot_url = os.environ.get("BERTH_CODE_SNAPSHOT_URL", "")
    snapshot_auth = ""
    if snapshot_digest and os.environ.get("BERTH_CODE_SNAPSHOT_AUTH_STDIN", "") == "1":
        snapshot_auth = read_line()
    snapshot_data = None
    if snapshot_digest and snapshot_url == "stdin":
        snapshot_data = fetch_snapshot("stdin", "", 0)
    if token or snapshot_auth or snapshot_data is not None:
        # Read to the end so nothing of the secrets is left for the entry point.
        try:
            sys.stdin.buffer.read()
        except (OSError, ValueError):
            pass
    header = os.environ.get("BERTH_CODE_TOKEN_HEADER", "Authorization")
    destination = os.environ.get("BERTH_CODE_DIR", "/berth/module")
    try:
        timeout = float(os.environ.get("BERTH_CODE_TIMEOUT", "120"))
    except ValueError:
        timeout = 120.0
    for name in list(os.environ):
        if name.startswith("BERTH_CODE_"):
            del os.environ[name]

    entry_parts = clean_name(entry)
    if not entry_parts:
        fail("BERTH_ENTRY_POINT must be a path inside the project: " + entry)

    sys.stderr.write("berth bootstrap: downloading the code" + (" at " + commit[:12] if commit else "")
                     + " from " + public_url(url) + "\n")
    sys.stderr.flush()
    handle, archive = tempfile.mkstemp(suffix=".tar.gz")
    os.close(handle)
    try:
        download(url, token, header, timeout, archive)
        files = extract(archive, subdirectory, destination)
    finally:
        os.unlink(archive)
    if files == 0:
        fail("the code archive has no files" + (" under " + subdirectory if subdirectory else ""))
    if snapshot_digest:
        if snapshot_data is None:
            if not snapshot_url:
                fail("BERTH_CODE_SNAPSHOT_DIGEST is set without BERTH_CODE_SNAPSHOT_URL")
            sys.stderr.write("berth bootstrap: fetching the code snapshot " + snapshot_digest[:19]
                             + " from " + public_url(snapshot_url) + "\n")
            snapshot_data = fetch_snapshot(snapshot_url, snapshot_auth, timeout)
        changed = apply_snapshot(snapshot_data, snapshot_digest, subdirectory, destination)
        sys.stderr.write("berth bootstrap: applied the code snapshot " + snapshot_digest[:19]
                         + " (" + str(changed) + " files)\n")
        sys.stderr.flush()
    entry_path = os.path.join(destination, *entry_parts)
    if not os.path.isfile(entry_path):
        fail("the entry point " + entry + " is not in the downloaded code")
    os.chdir(destination)
    sys.stdout.flush()
    os.execv(sys.executable, [sys.executable, entry_path] + sys.argv[1:])


if __name__ == "__main__":
    main()
`;
