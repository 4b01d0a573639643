"""Builds the openbits Python package (pyproject.toml: setuptools.build_meta).

The metadata is in pyproject.toml; this file adds what setuptools cannot
say declaratively:

* the version, read from CMakeLists.txt's `project(openbits VERSION x.y.z)`
  (the project's one source of truth);
* the extension openbits.__openbits: SWIG runs on
  bindings/python/openbits_python.i with CMake's options (-threads
  -builtin -doxygen -Wall), writing _openbits.py into the package;
* how the extension gets libopenbits, chosen by OPENBITS_PYTHON_LINK:

    auto      (default) system when pkg-config finds an installed openbits
              of this major version, at least this version; else in-tree
    system    `pkg-config --cflags --libs openbits`: the extension links the
              installed libopenbits.so.1 (cmake --install, or Debian's
              libopenbits-dev); its RUNPATH names the libdir unless that is
              one the dynamic linker searches anyway
    in-tree   the library's C sources (the list in src/CMakeLists.txt) are
              compiled into a private static archive linked into the
              extension; the wheel then needs no libopenbits.so.1

  Either way the extension exports PyInit___openbits only (a version
  script), so the in-tree copy of the library never interposes on, or is
  interposed by, a libopenbits.so.1 loaded by the same process.

Other environment variables: PKG_CONFIG, SWIG (the programs),
OPENBITS_PYTHON_RPATH=0 (system mode: no RUNPATH), OPENBITS_BUILD_JOBS
(parallel compiles of the in-tree library; default: the CPU count).
docs/python-packaging.md has the commands and the reasons.
"""

import os
import re
import shlex
import subprocess
import sys
import sysconfig
from concurrent.futures import ThreadPoolExecutor

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

# setuptools wants paths relative to the project directory (the current
# directory for pip and python -m build).
ROOT = os.path.relpath(os.path.dirname(os.path.abspath(__file__)))
PACKAGE_DIR = os.path.join(ROOT, "bindings", "python", "openbits")
INTERFACE = os.path.join(ROOT, "bindings", "python", "openbits_python.i")
SWIG_NEUTRAL = os.path.join(ROOT, "bindings", "swig", "openbits.i")
EXT_NAME = "openbits.__openbits"
SWIG_PY = "_openbits.py"  # %module(package="openbits") _openbits
LINK_MODES = ("auto", "system", "in-tree")


def _read(*parts):
    with open(os.path.join(ROOT, *parts), encoding="utf-8") as f:
        return f.read()


def project_version():
    """x.y.z from CMakeLists.txt's project(openbits ... VERSION x.y.z)."""
    m = re.search(r"project\(\s*openbits\b[^)]*?\bVERSION\s+(\d+)\.(\d+)\.(\d+)",
                  _read("CMakeLists.txt"))
    if not m:
        sys.exit("openbits setup.py: no project(openbits VERSION x.y.z) in CMakeLists.txt")
    return tuple(int(x) for x in m.groups())


def library_sources():
    """The .c files of add_library(openbits_core OBJECT ...) in src/CMakeLists.txt,
    the list CMake builds libopenbits.so from."""
    m = re.search(r"add_library\(\s*openbits_core\s+OBJECT\b(.*?)\)", _read("src", "CMakeLists.txt"),
                  re.S)
    if not m:
        sys.exit("openbits setup.py: no add_library(openbits_core OBJECT ...) in src/CMakeLists.txt")
    body = re.sub(r"#[^\n]*", "", m.group(1))
    sources = [os.path.join(ROOT, "src", s) for s in body.split() if s.endswith(".c")]
    missing = [s for s in sources if not os.path.isfile(s)]
    if not sources or missing:
        sys.exit("openbits setup.py: library sources missing: %s" % (missing or "none listed"))
    return sources


def _tool(env, default):
    return shlex.split(os.environ.get(env) or default)


def pkg_config(*args):
    """Output of pkg-config ARGS split into words, or None when it fails."""
    try:
        out = subprocess.run(_tool("PKG_CONFIG", "pkg-config") + list(args), check=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    return shlex.split(out)


def installed_openbits(version):
    """(usable, reason): is there an installed openbits the extension can link?"""
    found = pkg_config("--modversion", "openbits")
    if not found:
        return False, "pkg-config finds no openbits (PKG_CONFIG_PATH?)"
    have = tuple(int(x) for x in re.findall(r"\d+", found[0])[:3])
    want = ".".join(map(str, version))
    if have[:1] != version[:1] or have < version:
        return False, "pkg-config finds openbits %s; this source needs %s.x >= %s" % (
            found[0], version[0], want)
    return True, "pkg-config finds openbits %s" % found[0]


def configure_version_h(template, output, version):
    """include/openbits/version.h.in -> version.h, as CMake's configure_file(@ONLY)."""
    values = {
        "PROJECT_VERSION": "%d.%d.%d" % version,
        "PROJECT_VERSION_MAJOR": str(version[0]),
        "PROJECT_VERSION_MINOR": str(version[1]),
        "PROJECT_VERSION_PATCH": str(version[2]),
    }

    def subst(m):
        if m.group(1) not in values:
            sys.exit("openbits setup.py: %s uses @%s@, unknown here" % (template, m.group(1)))
        return values[m.group(1)]

    with open(template, encoding="utf-8") as f:
        text = re.sub(r"@([A-Za-z_][A-Za-z0-9_]*)@", subst, f.read())
    os.makedirs(os.path.dirname(output), exist_ok=True)
    old = None
    if os.path.exists(output):
        with open(output, encoding="utf-8") as f:
            old = f.read()
    if old != text:
        with open(output, "w", encoding="utf-8") as f:
            f.write(text)


def _split_flags(words):
    """pkg-config words -> (include dirs, other compile flags)."""
    incs = [w[2:] for w in words if w.startswith("-I")]
    return incs, [w for w in words if not w.startswith("-I")]


class BuildExt(build_ext):
    """build_ext that runs SWIG itself and links libopenbits one of two ways."""

    openbits_link = None

    def _choose_link(self):
        """Sets self.openbits_link (system or in-tree), once. Not in
        finalize_options: sdist finalizes build_ext too, and needs no library."""
        if self.openbits_link:
            return
        self.openbits_version = project_version()
        mode = (os.environ.get("OPENBITS_PYTHON_LINK") or "auto").strip().lower()
        if mode not in LINK_MODES:
            sys.exit("openbits setup.py: OPENBITS_PYTHON_LINK=%s: use one of %s"
                     % (mode, ", ".join(LINK_MODES)))
        usable, reason = installed_openbits(self.openbits_version)
        if mode == "system" and not usable:
            sys.exit("openbits setup.py: OPENBITS_PYTHON_LINK=system, but " + reason)
        if mode == "in-tree":
            reason = "OPENBITS_PYTHON_LINK=in-tree"
        elif mode == "auto":
            mode = "system" if usable else "in-tree"
        self.openbits_link = mode
        self.openbits_gen = os.path.join(self.build_temp, "openbits-generated")
        print("openbits: libopenbits linked %s: %s" % (mode, reason))

    # -- where the headers come from -------------------------------------
    def _header_dirs(self):
        """Directories holding openbits/*.h, for SWIG and the compiler."""
        if self.openbits_link == "system":
            # The installed headers, matching the library linked. pkg-config
            # leaves /usr/include out of --cflags; SWIG needs it named.
            incdir = pkg_config("--variable=includedir", "openbits")
            return [os.path.realpath(incdir[0])] if incdir else []
        gen_inc = os.path.join(self.openbits_gen, "include")
        configure_version_h(os.path.join(ROOT, "include", "openbits", "version.h.in"),
                            os.path.join(gen_inc, "openbits", "version.h"), self.openbits_version)
        return [os.path.join(ROOT, "include"), gen_inc]

    # -- SWIG -------------------------------------------------------------
    def swig_sources(self, sources, extension):
        """Runs SWIG on openbits_python.i as bindings/python/CMakeLists.txt does;
        _openbits.py goes next to the extension in build_lib (and with
        --inplace or pip install -e, into the source package too, as
        copy_extensions_to_source does for the extension)."""
        interfaces = [s for s in sources if s.endswith(".i")]
        if not interfaces:
            return sources
        self._choose_link()
        outdir = os.path.dirname(self.get_ext_fullpath(extension.name))
        os.makedirs(outdir, exist_ok=True)
        os.makedirs(self.openbits_gen, exist_ok=True)
        wrapper = os.path.join(self.openbits_gen, "openbits_pythonPYTHON_wrap.c")
        cmd = _tool("SWIG", "swig") + ["-python", "-I" + os.path.dirname(SWIG_NEUTRAL)]
        cmd += ["-I" + d for d in self._header_dirs()]
        cmd += ["-I" + sysconfig.get_paths()["include"]]
        cmd += ["-threads", "-builtin", "-doxygen", "-Wall",
                "-outdir", outdir, "-interface", EXT_NAME.rsplit(".", 1)[1],
                "-o", wrapper, interfaces[0]]
        print("openbits: " + " ".join(shlex.quote(c) for c in cmd))
        try:
            subprocess.run(cmd, check=True)
        except OSError as e:
            sys.exit("openbits setup.py: cannot run SWIG (%s): install Debian's swig" % e)
        except subprocess.CalledProcessError:
            sys.exit("openbits setup.py: SWIG failed on " + interfaces[0])
        return [s for s in sources if not s.endswith(".i")] + [wrapper]

    # -- the library ------------------------------------------------------
    def _link_system(self, ext):
        cflags = pkg_config("--cflags", "openbits")
        libs = pkg_config("--libs", "openbits")
        if cflags is None or libs is None:
            sys.exit("openbits setup.py: pkg-config --cflags --libs openbits failed")
        incs, other = _split_flags(cflags)
        ext.include_dirs += incs
        ext.extra_compile_args += other
        ext.library_dirs += [w[2:] for w in libs if w.startswith("-L")]
        ext.libraries += [w[2:] for w in libs if w.startswith("-l")]
        ext.extra_link_args += [w for w in libs if not w.startswith(("-L", "-l"))]
        libdir = pkg_config("--variable=libdir", "openbits")
        libdir = os.path.realpath(libdir[0]) if libdir else None
        multiarch = sysconfig.get_config_var("MULTIARCH") or ""
        searched = {"/lib", "/usr/lib", "/lib/" + multiarch, "/usr/lib/" + multiarch,
                    "/lib64", "/usr/lib64"}
        if libdir and libdir not in searched and os.environ.get("OPENBITS_PYTHON_RPATH") != "0":
            ext.runtime_library_dirs.append(libdir)

    def _link_in_tree(self, ext):
        curl_sqlite_cflags = pkg_config("--cflags", "libcurl", "sqlite3")
        curl_sqlite_libs = pkg_config("--libs", "libcurl", "sqlite3")
        if curl_sqlite_cflags is None or curl_sqlite_libs is None:
            sys.exit("openbits setup.py: pkg-config finds no libcurl or sqlite3: install "
                     "Debian's libcurl4-openssl-dev and libsqlite3-dev")
        incs, other = _split_flags(curl_sqlite_cflags)
        sources = library_sources()
        objdir = os.path.join(self.openbits_gen, "lib")
        # As src/CMakeLists.txt builds openbits_core: C11, hidden by default,
        # BITS_API names made default-visible (the version script below
        # takes them out of the extension's dynamic symbol table).
        include_dirs = self._header_dirs() + [os.path.join(ROOT, "src")] + incs
        macros = [("OPENBITS_BUILDING", None), ("_GNU_SOURCE", None)]
        postargs = ["-std=c11", "-fvisibility=hidden", "-fPIC"] + other
        for src in sources:  # created up front: the compiles below run in threads
            os.makedirs(os.path.dirname(self.compiler.object_filenames([src], output_dir=objdir)[0]),
                        exist_ok=True)

        def compile_one(src):
            return self.compiler.compile([src], output_dir=objdir, macros=macros,
                                         include_dirs=include_dirs, debug=self.debug,
                                         extra_postargs=postargs)[0]

        jobs = int(os.environ.get("OPENBITS_BUILD_JOBS") or self.parallel or os.cpu_count() or 1)
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            objects = list(pool.map(compile_one, sources))
        self.compiler.create_static_lib(objects, "openbits-intree", output_dir=objdir)
        ext.include_dirs += self._header_dirs()
        ext.library_dirs.append(objdir)
        ext.libraries.append("openbits-intree")
        ext.libraries += [w[2:] for w in curl_sqlite_libs if w.startswith("-l")]
        ext.library_dirs += [w[2:] for w in curl_sqlite_libs if w.startswith("-L")]
        ext.extra_link_args += [w for w in curl_sqlite_libs if not w.startswith(("-L", "-l"))]
        ext.extra_link_args.append("-pthread")

    # -- _openbits.py follows the extension wherever setuptools copies it -
    def _swig_py(self, ext):
        """(build_lib file, source package file) of SWIG's _openbits.py."""
        package = ext.name.rsplit(".", 1)[0]
        build_py = self.get_finalized_command("build_py")
        regular = os.path.join(self.build_lib, *package.split("."), SWIG_PY)
        return regular, os.path.join(build_py.get_package_dir(package), SWIG_PY)

    def copy_extensions_to_source(self):
        super().copy_extensions_to_source()
        for ext in self.extensions:
            self.copy_file(*self._swig_py(ext), level=self.verbose)

    def get_outputs(self):
        return super().get_outputs() + [self._swig_py(ext)[1 if self.inplace else 0]
                                        for ext in self.extensions]

    def _get_output_mapping(self):
        yield from super()._get_output_mapping()
        if self.inplace:
            for ext in self.extensions:
                yield self._swig_py(ext)

    def build_extension(self, ext):
        self._choose_link()
        if self.openbits_link == "system":
            self._link_system(ext)
        else:
            self._link_in_tree(ext)
        # Only the module's init function leaves the extension.
        init = "PyInit_" + ext.name.rsplit(".", 1)[1]
        script = os.path.join(self.openbits_gen, "extension.map")
        os.makedirs(self.openbits_gen, exist_ok=True)
        with open(script, "w", encoding="ascii") as f:
            f.write("{\n  global: %s;\n  local: *;\n};\n" % init)
        ext.extra_link_args.append("-Wl,--version-script=" + script)
        # Generated code: not held to the project's warning flags (as CMake).
        ext.extra_compile_args.append("-w")
        # Always relinked: setuptools would keep an extension newer than the
        # .i files, though the link mode, the headers or src/ changed.
        self.force = True
        super().build_extension(ext)


setup(
    version="%d.%d.%d" % project_version(),
    ext_modules=[Extension(
        EXT_NAME,
        sources=[INTERFACE],
        depends=[SWIG_NEUTRAL],
    )],
    cmdclass={"build_ext": BuildExt},
    # Not build/ itself: that is where CMake build trees go (README).
    options={"build": {"build_base": os.path.join(ROOT, "build", "setuptools")}},
)
