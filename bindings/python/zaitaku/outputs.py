"""zaitaku's one atomic writer: outputs are written under a temporary name
and renamed into place, never over an input. :func:`atomic_file` writes
one file; :class:`OutputSet` a set, all or nothing. Every writer of a set
of files (Analysis.save, the report, the planning and roads commands) goes
through :class:`OutputSet`; single files (a map, a table) through
:func:`atomic_file`."""
import os
import tempfile
from pathlib import Path

from ._libcoverage import ffi, lib
from .errors import error_for

# files that come with a shapefile: writing x.shp replaces every one of them
_SHAPEFILE_SET = (".shp", ".shx", ".dbf", ".prj", ".cpg")


def refuse_input(ctx, path):
    """Raises InputFileError when writing path would replace a file that
    ctx (a zaitaku context) read as an input: path itself, or for a
    shapefile any file of its set, either case of extension. ctx None
    checks nothing."""
    if ctx is None:
        return
    path = Path(path)
    exts = _SHAPEFILE_SET if path.suffix.lower() == ".shp" else (path.suffix,)
    for ext in dict.fromkeys([e.lower() for e in exts] + [e.upper() for e in exts]):
        candidate = path.with_suffix(ext)
        with ctx.lock:  # the context's list of inputs
            is_input = lib.cov_is_input_path(ctx.ptr, os.fsencode(candidate))
        if is_input:
            raise error_for("COV_ERR_IO", lib.COV_ERR_IO,
                            f"refusing to write {candidate}: it was read as an input "
                            "(nothing was written)")


def atomic_file(path, write, ctx=None):
    """Writes one file through a temporary file in its folder: ``write``
    is called with the temporary path (its name ends in path's real suffix,
    which writers such as pandas' Excel one check), then the file is renamed
    over ``path``; on any failure the temporary file is removed and
    ``path`` is as it was. A file that exists keeps its permissions, a new
    one is 0644. With ``ctx``, a path that would replace an input of it is
    refused (InputFileError) before anything is written. Returns path.

    >>> import tempfile
    >>> from pathlib import Path
    >>> target = Path(tempfile.mkdtemp()) / "a.txt"
    >>> atomic_file(target, lambda tmp: Path(tmp).write_text("x")).read_text()
    'x'
    """
    path = Path(path)
    refuse_input(ctx, path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=f".tmp{path.suffix}",
                               dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, path.stat().st_mode & 0o7777 if path.exists() else 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


class OutputSet:
    """Files written into a fresh staging folder beside ``folder`` and
    swapped in as one step by :meth:`commit` (libcoverage's
    ``cov_output_set``): whatever else ``folder`` holds is kept, one rename
    exchanges the folders, so a run killed at any point, or a second run
    into the same folder, leaves the old set or the new one, never a mix.
    A second writer while one is writing fails (InputFileError: "another
    writer is writing an output set into it now"). A name that would
    replace an input is refused before its file is written; on any failure
    (or without commit) the staging folder is removed and ``folder`` is as
    it was.

    >>> with OutputSet(None, folder) as out:            # doctest: +SKIP
    ...     frame.to_csv(out.path("tables/a.csv"))
    ...     written = out.commit()
    """

    def __init__(self, ctx, folder):
        self.ctx = ctx
        self.folder = Path(os.fsdecode(folder))
        self.names = []
        self.staging = None
        self._set = None

    def __enter__(self):
        from ._ffi.core import call, context

        ctx = self.ctx if self.ctx is not None else context()
        self._set = ffi.gc(call(ctx, lib.cov_output_set_begin, os.fsencode(self.folder)),
                           lib.cov_output_set_destroy)
        self.staging = Path(os.fsdecode(ffi.string(lib.cov_output_set_staging(self._set))))
        return self

    def path(self, name):
        """Where to write the output ``name`` (relative to the folder, may
        hold subfolders): a path in the staging folder. Raises
        InputFileError when the final file would replace an input."""
        refuse_input(self.ctx, self.folder / name)
        self.names.append(name)
        staged = self.staging / name
        staged.parent.mkdir(parents=True, exist_ok=True)
        return staged

    def commit(self):
        """Swaps the staged files in (the companions of a shapefile
        included); returns the final paths of the names asked for, in
        order."""
        from ._ffi.core import call, context

        ctx = self.ctx if self.ctx is not None else context()
        call(ctx, lib.cov_output_set_commit, self._set, returns="status")
        return [self.folder / name for name in self.names]

    def __exit__(self, *exc):
        if self._set is not None:
            ffi.release(self._set)  # the destructor, now
            self._set = None
        return False
