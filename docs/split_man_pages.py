#!/usr/bin/env python3
"""split_man_pages.py MAN3_DIR - Doxygen's man output made into openbits' man 3.

Doxygen (docs/Doxyfile.in, MAN_LINKS) writes one page per header, named
after the header's base name (job.h.3), and one ".so" link per
documented name, so `man 3 bits_job_get_state` would open the whole of
job.h at its first line. This script, run on MAN3_DIR after Doxygen:

- gives every function a page of its own, in place of its link: NAME
  (the function and the first sentence of its documentation), SYNOPSIS
  (the header to include and the prototype), DESCRIPTION (Doxygen's text
  of the function: parameters, returns, thread safety) and SEE ALSO (the
  page of its header, which states the rules common to its functions);
- renames each header's page after its include path, '/' as '_'
  (openbits_job.h.3), so no page called types.h or error.h lands in
  man3, and adds openbits.3 for the umbrella header;
- removes the pages whose names are not openbits' own: the links made
  for struct fields (kind.3, state.3, ...) and the xrefitem page
  (experimental.3, which the HTML keeps);
- gives each struct page a NAME line with its summary (the first sentence
  of its Detailed Description: the comment sits on the typedef, so Doxygen
  writes the bare name, which makes a bad whatis entry for man -k);
- repoints the remaining links (macros, typedefs) to the renamed header
  pages, and fails if a link points nowhere.

Exits non-zero, naming the problem, when the output is not what it
expects, so a Doxygen that writes another layout fails the build rather
than installing wrong pages.
"""

import os
import re
import sys

# Names openbits owns; any other page is a generic name from a struct field.
OWN = re.compile(r"^(bits_|BITS_|BG_|OPENBITS_|openbits)")
TH = re.compile(r'^\.TH "([^"]*)" 3 (.*)$')
SO = re.compile(r"^\.so man3/(\S+)\s*$")
FONT = re.compile(r"\\f[BCIPR]")
PROTOTYPE = re.compile(r'^\.SS "(.*)\b([A-Za-z_]\w*) \((.*)\)"\s*$')


def fail(message):
    sys.exit("split_man_pages.py: " + message)


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def first_sentence(paragraph):
    """The first sentence of Doxygen's roff text, font changes dropped.

    Doxygen writes every '.' as '\\&.'; a sentence ends at one followed by
    a blank or the end, unless it is part of '...' or '..' or of 'e.g.'
    or 'i.e.'."""
    text = FONT.sub("", paragraph).strip()
    for m in re.finditer(r"\\&\.(?=\s|$)", text):
        before = text[: m.start()]
        if before.endswith("\\&.") or re.search(r"\b(e\\&\.g|i\\&\.e)$", before):
            continue
        return before.strip()
    return re.sub(r"(\\&\.)+$", "", text)


def name_struct_page(text):
    """A struct page's text whose NAME line gains ' \\- summary' when bare."""
    m = re.search(r'^\.SH NAME\n(\S+)\n', text, re.M)
    if not m:
        return text
    detail = re.search(r'^\.SH "Detailed Description"\n\.PP *\n(.+)$', text, re.M)
    if not detail:
        fail("%s: its NAME has no summary and the page no description" % m.group(1))
    summary = first_sentence(detail.group(1))
    return text[: m.start(1)] + "%s \\- %s" % (m.group(1), summary) + text[m.end(1):]


def function_sections(text, page):
    """(name, prototype line, body) of each function in a header's page."""
    lines = text.split("\n")
    try:
        start = lines.index('.SH "Function Documentation"')
    except ValueError:
        return []
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith(".SH ")), len(lines))
    sections, current = [], None
    for line in lines[start + 1 : end]:
        if line.startswith('.SS "'):
            m = PROTOTYPE.match(line)
            if not m:
                fail("%s: cannot read the prototype in %r" % (page, line))
            current = [m, []]
            sections.append(current)
        elif current is not None:
            current[1].append(line)
    return [(m.group(2), m, body) for m, body in sections]


def function_page(name, m, body, header, header_page, th_rest):
    paragraph = []
    for line in body:
        if line.startswith("."):
            break
        paragraph.append(line)
    summary = first_sentence(" ".join(paragraph))
    if not summary:
        fail("%s has no description in %s" % (name, header))
    include = "openbits/experimental.h" if header == "openbits/experimental.h" else "openbits/openbits.h"
    returns, args = FONT.sub("", m.group(1)).strip(), FONT.sub("", m.group(3))
    return "\n".join([
        '.TH "%s" 3 %s' % (name, th_rest),
        ".ad l",
        ".nh",
        ".SH NAME",
        "%s \\- %s" % (name, summary),
        ".SH SYNOPSIS",
        ".nf",
        "\\fB#include <%s>\\fP" % include.replace(".", "\\&."),
        ".sp",
        "%s \\fB%s\\fP (%s);" % (returns, name, args),
        ".fi",
        ".PP",
        "Link with \\fI\\-lopenbits\\fP (\\fIpkg\\-config \\-\\-libs openbits\\fP)\\&.",
        ".SH DESCRIPTION",
        "\n".join(body).strip("\n"),
        ".SH \"SEE ALSO\"",
        "\\fB%s\\fP(3): %s, with the rules common to its functions; \\fBopenbits\\fP(3)"
        % (header_page[:-2], header.replace(".", "\\&.")),
        "",
    ])


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    man3 = sys.argv[1]
    pages = sorted(os.listdir(man3))

    # Header pages: renamed after the include path.
    renamed, headers = {}, {}
    for page in pages:
        path = os.path.join(man3, page)
        first = read(path).split("\n", 1)[0]
        m = TH.match(first)
        if m and m.group(1).startswith("openbits/") and m.group(1).endswith(".h"):
            renamed[page] = m.group(1).replace("/", "_") + ".3"
            headers[page] = (m.group(1), m.group(2))
    if "openbits.h.3" not in renamed:
        fail("no page for openbits/openbits.h in %s (did Doxygen run?)" % man3)

    functions = {}
    for page, (header, th_rest) in headers.items():
        text = read(os.path.join(man3, page))
        for name, m, body in function_sections(text, page):
            functions[name] = function_page(name, m, body, header, renamed[page], th_rest)
        os.replace(os.path.join(man3, page), os.path.join(man3, renamed[page]))

    for page in pages:
        path = os.path.join(man3, page)
        if page in renamed:
            continue
        if not OWN.match(page):
            os.remove(path)
            continue
        text = read(path)
        m = SO.match(text)
        if m and m.group(1) in renamed:
            write(path, ".so man3/%s\n" % renamed[m.group(1)])
        elif not m:
            named = name_struct_page(text)
            if named != text:
                write(path, named)
    for name, text in functions.items():
        write(os.path.join(man3, name + ".3"), text)
    write(os.path.join(man3, "openbits.3"), ".so man3/%s\n" % renamed["openbits.h.3"])

    # Every link must lead to a page.
    for page in os.listdir(man3):
        m = SO.match(read(os.path.join(man3, page)))
        if m and not os.path.exists(os.path.join(man3, m.group(1))):
            fail("%s links to %s, which does not exist" % (page, m.group(1)))
    print("man3: %d function pages, %d header pages, %d pages in all"
          % (len(functions), len(renamed), len(os.listdir(man3))))


if __name__ == "__main__":
    main()
