package org.openbits.test;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.openbits.BitsException;
import org.openbits.swig.Native;

/**
 * The test vectors of tests/vectors/ (format in its README.md) through the
 * JNI layer org.openbits.swig.Native: the Java twin of
 * python_tests/vector_format.py (the parser), vector_exec.py (the
 * executor) and a SWIG backend. Functions are found by their C names
 * (reflection on Native) and their types in signatures.txt.
 *
 * Strings are byte arrays throughout; a string argument that is not UTF-8
 * cannot be a Java String, so such a line is skipped. Java passes null
 * out-arrays and GUIDs as NULL, so it expresses the other lines, except
 * bits_*_enum_next, which the binding offers as bits_*_enum_next_one (celt
 * calls of it): a line passing NULL to it expecting a failure is skipped.
 */
public final class VectorRunner {
    /** A vector line does not hold (or the runner cannot run it). */
    public static final class Mismatch extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Mismatch(String message) {
            super(message);
        }
    }

    /** A malformed vector line. */
    public static final class SyntaxError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SyntaxError(int line, String message) {
            super("line " + line + ": " + message);
        }
    }

    enum Kind { NULL, INT, STR, REF, BIND, ANY, OUT, NAME }

    static final class Token {
        final Kind kind;
        final long num;     // INT: the 64 bits
        final byte[] bytes; // STR
        final String word;  // REF, BIND, NAME

        Token(Kind kind, long num, byte[] bytes, String word) {
            this.kind = kind;
            this.num = num;
            this.bytes = bytes;
            this.word = word;
        }
    }

    static final class Step {
        int line;
        String call;
        final List<Token> args = new ArrayList<>();
        boolean hasExpect;
        Token ret;
        final List<Token> outs = new ArrayList<>();
    }

    static final class Type {
        final String kind;   // "u32", "handle", "out_handle", "outv_handle", ...
        final String handle; // the handle type, or ""

        Type(String kind, String handle) {
            this.kind = kind;
            this.handle = handle;
        }

        boolean isOut() {
            return kind.startsWith("out");
        }
    }

    static final class Sig {
        final String name;
        final Type ret;
        final List<Type> params;

        Sig(String name, Type ret, List<Type> params) {
            this.name = name;
            this.ret = ret;
            this.params = params;
        }
    }

    /** signatures.txt: functions and how each handle type is released. */
    public static final class Table {
        final Map<String, Sig> sigs = new HashMap<>();
        final Map<String, String> releases = new HashMap<>();
    }

    static final int MAX_STRING = 1 << 20;
    static final int MAX_TOKENS = 16;
    static final List<String> HANDLE_TYPES = List.of("manager", "job", "file", "job_enum", "file_enum", "error");
    static final List<String> PLAIN_TYPES = List.of("void", "hresult", "u32", "u64", "cstr", "str", "guid",
            "ptr", "out_u32", "out_u64", "out_hresult", "out_str", "out_guid");

    // ---- the parser ----------------------------------------------------------------

    private static boolean isBlank(byte b) {
        return b == ' ' || b == '\t' || b == '\r';
    }

    private static boolean isIdent(byte b) {
        return b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '_';
    }

    private static boolean isHex(byte b) {
        return b >= '0' && b <= '9' || b >= 'a' && b <= 'f' || b >= 'A' && b <= 'F';
    }

    /** [value, end] of the number at pos. */
    private static long[] number(byte[] line, int pos, int lineno) {
        int end = pos;
        boolean hex = end + 1 < line.length && line[end] == '0' && (line[end + 1] == 'x' || line[end + 1] == 'X')
                && end + 2 < line.length && isHex(line[end + 2]);
        String digits;
        if (hex) {
            end += 2;
            int start = end;
            while (end < line.length && isHex(line[end])) {
                end++;
            }
            digits = new String(line, start, end - start, StandardCharsets.US_ASCII);
        } else {
            int start = end;
            while (end < line.length && line[end] >= '0' && line[end] <= '9') {
                end++;
            }
            if (end == start) {
                throw new SyntaxError(lineno, "malformed number");
            }
            digits = new String(line, start, end - start, StandardCharsets.US_ASCII);
        }
        try {
            return new long[] {Long.parseUnsignedLong(digits, hex ? 16 : 10), end};
        } catch (NumberFormatException e) {
            throw new SyntaxError(lineno, "number too large");
        }
    }

    private static Object[] string(byte[] line, int pos, int lineno) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        pos++;
        while (true) {
            if (pos >= line.length) {
                throw new SyntaxError(lineno, "unterminated string");
            }
            byte ch = line[pos++];
            if (ch == '"') {
                break;
            }
            if (ch == '\\') {
                byte e = pos < line.length ? line[pos] : 0;
                switch (e) {
                    case 'n': out.write('\n'); pos++; continue;
                    case 'r': out.write('\r'); pos++; continue;
                    case 't': out.write('\t'); pos++; continue;
                    case '\\': out.write('\\'); pos++; continue;
                    case '"': out.write('"'); pos++; continue;
                    default:
                        if (e == 'x' && pos + 2 < line.length && isHex(line[pos + 1]) && isHex(line[pos + 2])) {
                            out.write(Integer.parseInt(new String(line, pos + 1, 2, StandardCharsets.US_ASCII), 16));
                            pos += 3;
                            continue;
                        }
                        throw new SyntaxError(lineno, "unknown escape \\" + (char) e);
                }
            }
            out.write(ch);
        }
        long times = 1;
        if (pos < line.length && line[pos] == '*') {
            long[] n = number(line, pos + 1, lineno);
            times = n[0];
            pos = (int) n[1];
        }
        byte[] once = out.toByteArray();
        if (times == 0 || Long.compareUnsigned(times, MAX_STRING) > 0 || (long) once.length * times > MAX_STRING) {
            throw new SyntaxError(lineno, "string repetition out of range");
        }
        byte[] all = new byte[(int) (once.length * times)];
        for (int i = 0; i < times; i++) {
            System.arraycopy(once, 0, all, i * once.length, once.length);
        }
        return new Object[] {new Token(Kind.STR, 0, all, null), pos};
    }

    /** The tokens of one line; null stands for "=>". */
    private static List<Token> tokens(byte[] line, int lineno) {
        List<Token> toks = new ArrayList<>();
        int pos = 0;
        while (true) {
            while (pos < line.length && isBlank(line[pos])) {
                pos++;
            }
            if (pos >= line.length || line[pos] == '#') {
                return toks;
            }
            byte ch = line[pos];
            Token tok;
            if (ch == '"') {
                Object[] r = string(line, pos, lineno);
                tok = (Token) r[0];
                pos = (int) r[1];
            } else if (ch == '=' && pos + 1 < line.length && line[pos + 1] == '>') {
                tok = null;
                pos += 2;
            } else if (ch == '*') {
                tok = new Token(Kind.ANY, 0, null, null);
                pos++;
            } else if (ch >= '0' && ch <= '9') {
                long[] n = number(line, pos, lineno);
                tok = new Token(Kind.INT, n[0], null, null);
                pos = (int) n[1];
            } else if (ch == '$' || ch == '&' || isIdent(ch)) {
                int start = ch == '$' || ch == '&' ? pos + 1 : pos;
                int end = start;
                while (end < line.length && isIdent(line[end])) {
                    end++;
                }
                if (end == start) {
                    throw new SyntaxError(lineno, "a name is expected after '" + (char) ch + "'");
                }
                String word = new String(line, start, end - start, StandardCharsets.US_ASCII);
                pos = end;
                if (ch == '$') {
                    tok = new Token(Kind.REF, 0, null, word);
                } else if (ch == '&') {
                    tok = new Token(Kind.BIND, 0, null, word);
                } else if (word.equals("NULL")) {
                    tok = new Token(Kind.NULL, 0, null, word);
                } else if (word.equals("out")) {
                    tok = new Token(Kind.OUT, 0, null, word);
                } else {
                    tok = new Token(Kind.NAME, 0, null, word);
                }
            } else {
                throw new SyntaxError(lineno, "unexpected character '" + (char) ch + "'");
            }
            if (pos < line.length && !isBlank(line[pos]) && line[pos] != '#') {
                throw new SyntaxError(lineno, "a blank is expected after a token");
            }
            toks.add(tok);
        }
    }

    private static boolean oneOf(Token t, Kind... kinds) {
        return Arrays.asList(kinds).contains(t.kind);
    }

    /** The steps of a .vec file given as bytes. */
    public static List<Step> parseVectors(byte[] data) {
        List<Step> steps = new ArrayList<>();
        int lineno = 0;
        int start = 0;
        while (start <= data.length) {
            int end = start;
            while (end < data.length && data[end] != '\n') {
                end++;
            }
            byte[] line = Arrays.copyOfRange(data, start, end);
            start = end + 1;
            lineno++;
            for (byte b : line) {
                if (b == 0) {
                    throw new SyntaxError(lineno, "NUL byte in the line");
                }
            }
            Step step = null;
            for (Token tok : tokens(line, lineno)) {
                if (step == null) {
                    if (tok == null || tok.kind != Kind.NAME) {
                        throw new SyntaxError(lineno, "a function name is expected first");
                    }
                    step = new Step();
                    step.line = lineno;
                    step.call = tok.word;
                } else if (tok == null) {
                    if (step.hasExpect) {
                        throw new SyntaxError(lineno, "'=>' must follow the arguments");
                    }
                    step.hasExpect = true;
                } else if (!step.hasExpect) {
                    if (!oneOf(tok, Kind.NULL, Kind.INT, Kind.STR, Kind.REF, Kind.OUT)) {
                        throw new SyntaxError(lineno, "this token is not an argument");
                    }
                    if (step.args.size() == MAX_TOKENS) {
                        throw new SyntaxError(lineno, "too many tokens");
                    }
                    step.args.add(tok);
                } else if (step.ret == null) {
                    if (!oneOf(tok, Kind.NAME, Kind.INT, Kind.ANY)) {
                        throw new SyntaxError(lineno, "a code name, number or * is expected");
                    }
                    step.ret = tok;
                } else {
                    if (!oneOf(tok, Kind.NULL, Kind.INT, Kind.STR, Kind.REF, Kind.BIND, Kind.ANY)) {
                        throw new SyntaxError(lineno, "not an expected output");
                    }
                    if (step.outs.size() == MAX_TOKENS) {
                        throw new SyntaxError(lineno, "too many tokens");
                    }
                    step.outs.add(tok);
                }
            }
            if (step != null) {
                if (step.hasExpect && step.ret == null) {
                    throw new SyntaxError(lineno, "an expected return is missing");
                }
                steps.add(step);
            }
            if (end == data.length) {
                break;
            }
        }
        return steps;
    }

    private static Type type(String word) {
        if (PLAIN_TYPES.contains(word)) {
            return new Type(word, "");
        }
        String[][] prefixes = {{"out_", "out_handle"}, {"outv_", "outv_handle"}, {"", "handle"}};
        for (String[] p : prefixes) {
            if (word.startsWith(p[0]) && HANDLE_TYPES.contains(word.substring(p[0].length()))) {
                return new Type(p[1], word.substring(p[0].length()));
            }
        }
        throw new IllegalArgumentException("unknown type " + word);
    }

    public static Table loadSignatures(Path path) throws IOException {
        Table table = new Table();
        for (String line : Files.readAllLines(path, StandardCharsets.UTF_8)) {
            int hash = line.indexOf('#');
            String[] w = (hash >= 0 ? line.substring(0, hash) : line).trim().split("\\s+");
            if (w.length == 0 || w[0].isEmpty()) {
                continue;
            }
            if (w[0].equals("release")) {
                table.releases.put(w[1], w[2]);
                continue;
            }
            List<Type> params = new ArrayList<>();
            for (int i = 2; i < w.length; i++) {
                params.add(type(w[i]));
            }
            table.sigs.put(w[0], new Sig(w[0], type(w[1]), params));
        }
        return table;
    }

    // ---- the backend: calls through org.openbits.swig.Native ----------------------------

    static final Object OUT = new Object(); // an out-parameter for which storage is wanted
    static final Object NOT_UTF8 = new Object();
    static final Pattern GUID = Pattern.compile(
            "\\{[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\\}");

    private static Class<?> javaType(Type t) {
        switch (t.kind) {
            case "str":
            case "guid":
                return String.class;
            case "out_str":
            case "out_guid":
                return String[].class;
            case "out_u32":
            case "out_u64":
            case "out_hresult":
            case "out_handle":
                return long[].class;
            default:
                return long.class; // numbers, codes and handles
        }
    }

    private static Object invokeNative(String name, Class<?>[] types, Object[] args) {
        try {
            Method m = Native.class.getMethod(name, types);
            return m.invoke(null, args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException) {
                throw (RuntimeException) e.getCause();
            }
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(name + ": " + e, e);
        }
    }

    /** A call's return (the code for hresult, null for void) and out-values by position. */
    static final class Result {
        long ret;
        Object[] outs;
    }

    // ---- the executor --------------------------------------------------------------

    static final class Run {
        final Path path;
        final Table table;
        final byte[] tmp;
        final Map<String, Object[]> bindings = new HashMap<>(); // name -> {kind, value, handle type}
        final List<String> guids = new ArrayList<>();
        final List<String> line = new ArrayList<>();
        int calls;
        int skipped;
        Step step;

        Run(Path path, Table table, Path tmpdir) {
            this.path = path;
            this.table = table;
            this.tmp = tmpdir.toString().getBytes(StandardCharsets.UTF_8);
        }

        Mismatch fail(String message) {
            return new Mismatch(path + ":" + step.line + ": " + step.call + ": " + message);
        }

        String codeName(long code) {
            return Native.bits_hresult_name(code);
        }

        void release(String htype, Object handle) {
            if (handle != null && (long) handle != 0) {
                invokeNative(table.releases.get(htype), new Class<?>[] {long.class}, new Object[] {handle});
            }
        }

        String skipReason(Sig sig, Step s, Object[] args) {
            for (Object a : args) {
                if (a == NOT_UTF8) {
                    return "a string that is not UTF-8";
                }
            }
            boolean expectsFailure = s.ret != null && s.ret.word != null && s.ret.word.contains("_E_");
            if (sig.name.endsWith("_enum_next") && expectsFailure) {
                for (int i = 0; i < args.length; i++) {
                    if (args[i] == null && sig.params.get(i).isOut()) {
                        return "a NULL out-pointer";
                    }
                }
            }
            return null;
        }

        /** bits_*_enum_next as celt calls of bits_*_enum_next_one. */
        Result enumNext(Sig sig, Object[] args) {
            List<Long> handles = new ArrayList<>();
            long celt = (long) args[1];
            long code = 0;
            for (long i = 0; i < celt; i++) {
                long[] one = new long[1];
                try {
                    code = (long) invokeNative(sig.name + "_one", new Class<?>[] {long.class, long[].class},
                            new Object[] {args[0], one});
                } catch (BitsException e) {
                    code = e.hresult();
                    break;
                }
                if (one[0] == 0) {
                    break;
                }
                handles.add(one[0]);
            }
            if (code < 0x80000000L) {
                code = handles.size() == celt ? 0 : 1; // BITS_S_OK / BITS_S_FALSE
            }
            Result r = new Result();
            r.ret = code;
            r.outs = new Object[args.length];
            if (args[2] == OUT) {
                List<Long> array = new ArrayList<>(handles);
                while (array.size() < Math.max(celt, 1)) {
                    array.add(0L);
                }
                r.outs[2] = array;
            } else {
                handles.forEach(h -> release(sig.params.get(2).handle, h));
            }
            if (args[3] == OUT) {
                r.outs[3] = (long) handles.size();
            }
            return r;
        }

        Result call(Sig sig, Object[] args) {
            if (sig.name.endsWith("_enum_next")) {
                return enumNext(sig, args);
            }
            Class<?>[] types = new Class<?>[args.length];
            Object[] jargs = new Object[args.length];
            for (int i = 0; i < args.length; i++) {
                Type t = sig.params.get(i);
                types[i] = javaType(t);
                if (args[i] == OUT) {
                    jargs[i] = types[i] == String[].class ? new String[1] : new long[1];
                } else if (args[i] == null && types[i] == long.class) {
                    jargs[i] = 0L; // a NULL handle
                } else {
                    jargs[i] = args[i];
                }
            }
            Result r = new Result();
            r.outs = new Object[args.length];
            Object ret;
            try {
                ret = invokeNative(sig.name, types, jargs);
            } catch (BitsException e) {
                r.ret = e.hresult();
                return r;
            }
            r.ret = ret == null ? 0 : (long) ret;
            for (int i = 0; i < args.length; i++) {
                if (args[i] != OUT) {
                    continue;
                }
                Object v = jargs[i] instanceof long[] ? (Object) ((long[]) jargs[i])[0] : ((String[]) jargs[i])[0];
                if (v instanceof String) {
                    v = ((String) v).getBytes(StandardCharsets.UTF_8);
                }
                r.outs[i] = v;
            }
            return r;
        }

        Object[] ref(Token tok, String kind) {
            Object[] b = bindings.get(tok.word);
            if (b == null) {
                throw fail("$" + tok.word + " is not bound");
            }
            if (!b[0].equals(kind)) {
                throw fail("$" + tok.word + " is bound to a value of another type");
            }
            return b;
        }

        byte[] expand(byte[] value) {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            byte[] key = "$TMP".getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < value.length;) {
                if (i + 4 <= value.length && Arrays.equals(value, i, i + 4, key, 0, 4)) {
                    out.write(tmp, 0, tmp.length);
                    i += 4;
                } else {
                    out.write(value[i++]);
                }
            }
            return out.toByteArray();
        }

        byte[] stringArg(Token tok) {
            switch (tok.kind) {
                case NULL: return null;
                case STR: return expand(tok.bytes);
                case REF: return (byte[]) ref(tok, "str")[1];
                default: throw fail("a string is expected");
            }
        }

        /** A Java String for bytes, or NOT_UTF8. */
        static Object javaString(byte[] bytes) {
            if (bytes == null) {
                return null;
            }
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
            } catch (CharacterCodingException e) {
                return NOT_UTF8;
            }
        }

        Object buildArg(Type t, Token tok, List<Object> args) {
            switch (t.kind) {
                case "u32":
                case "u64":
                case "hresult": {
                    long value;
                    if (tok.kind == Kind.REF) {
                        value = (long) ref(tok, "int")[1];
                    } else if (tok.kind == Kind.INT) {
                        value = tok.num;
                    } else {
                        throw fail("an integer is expected");
                    }
                    if (!t.kind.equals("u64") && Long.compareUnsigned(value, 0xFFFFFFFFL) > 0) {
                        throw fail(Long.toUnsignedString(value) + " is out of range");
                    }
                    return value;
                }
                case "str":
                case "guid":
                    return javaString(stringArg(tok));
                case "ptr":
                    if (tok.kind != Kind.NULL) {
                        throw fail("only NULL is a valid pointer here");
                    }
                    return null;
                case "handle": {
                    if (tok.kind == Kind.NULL) {
                        return null;
                    }
                    if (tok.kind != Kind.REF) {
                        throw fail("a $handle or NULL is expected");
                    }
                    Object[] b = ref(tok, "handle");
                    if (!b[2].equals(t.handle)) {
                        throw fail("$" + tok.word + " is a " + b[2] + ", not a " + t.handle);
                    }
                    return b[1];
                }
                default:
                    if (tok.kind == Kind.NULL) {
                        return null;
                    }
                    if (tok.kind != Kind.OUT) {
                        throw fail("an out-parameter takes out or NULL");
                    }
                    if (t.kind.equals("outv_handle") && (long) args.get(args.size() - 1) > 1024) {
                        throw fail("celt above 1024");
                    }
                    return OUT;
            }
        }

        void writeFile(Step s) throws IOException {
            if (s.args.size() != 2 || s.args.stream().anyMatch(t -> t.kind != Kind.STR) || s.hasExpect) {
                throw fail("write_file takes a path and a content string");
            }
            for (byte b : s.args.get(0).bytes) {
                if (b == 0) {
                    throw fail("write_file: a path cannot hold a NUL");
                }
            }
            Files.write(Path.of(new String(expand(s.args.get(0).bytes), StandardCharsets.UTF_8)), s.args.get(1).bytes);
            line.add("ok");
        }

        void waitState(Step s) throws InterruptedException {
            List<Token> a = s.args;
            if (a.size() != 2 || a.get(0).kind != Kind.REF || a.get(1).kind != Kind.INT || s.hasExpect) {
                throw fail("wait_state takes a $job and a state number");
            }
            Object job = ref(a.get(0), "handle")[1];
            long state = -1;
            for (int i = 0; i < 60 * 50; i++) {
                long[] out = new long[1];
                long ret;
                try {
                    ret = Native.bits_job_get_state((long) job, out);
                } catch (BitsException e) {
                    ret = e.hresult();
                }
                state = out[0];
                if (ret == 0 && state == a.get(1).num) {
                    line.add(Long.toString(state));
                    return;
                }
                Thread.sleep(20);
            }
            line.add(Long.toString(state));
            throw fail("still in state " + state + " after 60 s, expected " + a.get(1).num);
        }

        static String escape(byte[] b, int from, int to) {
            StringBuilder sb = new StringBuilder();
            for (int i = from; i < to; i++) {
                int c = b[i] & 0xFF;
                if (c >= 0x20 && c <= 0x7E && c != '"' && c != '\\') {
                    sb.append((char) c);
                } else {
                    sb.append(String.format("\\x%02x", c));
                }
            }
            return sb.toString();
        }

        String traceString(byte[] value) {
            if (value == null) {
                return "NULL";
            }
            String text = new String(value, StandardCharsets.ISO_8859_1);
            if (GUID.matcher(text).matches()) {
                String key = text.toLowerCase();
                if (!guids.contains(key)) {
                    guids.add(key);
                }
                return "{GUID" + (guids.indexOf(key) + 1) + "}";
            }
            StringBuilder sb = new StringBuilder("\"");
            int from = 0;
            for (int i = 0; i + tmp.length <= value.length;) {
                if (tmp.length > 0 && Arrays.equals(value, i, i + tmp.length, tmp, 0, tmp.length)) {
                    sb.append(escape(value, from, i)).append("$TMP");
                    i += tmp.length;
                    from = i;
                } else {
                    i++;
                }
            }
            return sb.append(escape(value, from, value.length)).append('"').toString();
        }

        String traceOut(Type t, Object value, Token listed) {
            if (listed.kind == Kind.ANY) {
                return "*";
            }
            switch (t.kind) {
                case "out_u32":
                case "out_hresult":
                case "out_u64":
                    return Long.toUnsignedString((long) value);
                case "out_str":
                case "out_guid":
                    return traceString((byte[]) value);
                case "outv_handle": {
                    @SuppressWarnings("unchecked")
                    List<Long> all = (List<Long>) value;
                    return all != null && !all.isEmpty() && all.get(0) != 0 ? "handle" : "NULL";
                }
                default:
                    return value != null && (long) value != 0 ? "handle" : "NULL";
            }
        }

        void step(Step s) throws IOException, InterruptedException {
            this.step = s;
            line.add("error"); // until the step tells more
            if (s.call.equals("write_file") || s.call.equals("wait_state")) {
                line.remove(line.size() - 1);
                if (s.call.equals("write_file")) {
                    writeFile(s);
                } else {
                    waitState(s);
                }
                return;
            }
            Sig sig = table.sigs.get(s.call);
            if (sig == null) {
                throw fail("not in the signature table");
            }
            if (s.args.size() != sig.params.size()) {
                throw fail(s.args.size() + " arguments given, the function takes " + sig.params.size());
            }
            List<Object> args = new ArrayList<>();
            for (int i = 0; i < sig.params.size(); i++) {
                args.add(buildArg(sig.params.get(i), s.args.get(i), args));
            }
            Object[] a = args.toArray();
            List<Integer> outPositions = new ArrayList<>();
            for (int i = 0; i < a.length; i++) {
                if (a[i] == OUT) {
                    outPositions.add(i);
                }
            }
            if (!s.outs.isEmpty() && s.outs.size() != outPositions.size()) {
                throw fail(s.outs.size() + " out-values listed for " + outPositions.size() + " out arguments");
            }
            String reason = skipReason(sig, s, a);
            if (reason != null) {
                skipped++;
                line.set(line.size() - 1, "skipped (" + reason + ")");
                return;
            }
            Result r = call(sig, a);
            calls++;
            boolean failed = sig.ret.kind.equals("hresult") && r.ret >= 0x80000000L;
            String shown;
            if (sig.ret.kind.equals("void")) {
                shown = "-";
            } else if (!s.hasExpect || s.ret.kind == Kind.ANY) {
                shown = "*";
            } else if (sig.ret.kind.equals("hresult")) {
                shown = codeName(r.ret);
            } else {
                shown = Long.toUnsignedString(r.ret);
            }
            line.set(line.size() - 1, shown);
            if (!failed && !s.outs.isEmpty()) {
                for (int k = 0; k < outPositions.size(); k++) {
                    int i = outPositions.get(k);
                    line.add(traceOut(sig.params.get(i), r.outs[i], s.outs.get(k)));
                }
            }
            try {
                checkReturn(sig, s, r.ret);
                if (failed && !s.outs.isEmpty()) {
                    throw fail("a failing call lists no out-values");
                }
            } catch (Mismatch e) {
                for (int i : outPositions) {
                    finish(sig.params.get(i), r.outs[i], null);
                }
                throw e;
            }
            Mismatch first = null;
            for (int k = 0; k < outPositions.size(); k++) {
                int i = outPositions.get(k);
                try {
                    finish(sig.params.get(i), r.outs[i], s.outs.isEmpty() ? null : s.outs.get(k));
                } catch (Mismatch e) {
                    first = first == null ? e : first;
                }
            }
            if (first != null) {
                throw first;
            }
        }

        void checkReturn(Sig sig, Step s, long ret) {
            Token want = s.ret;
            if (!s.hasExpect || want.kind == Kind.ANY) {
                return;
            }
            if (sig.ret.kind.equals("hresult")) {
                String got = codeName(ret);
                if (want.kind == Kind.NAME && !got.equals(want.word)) {
                    throw fail(String.format("returned %s (0x%08X), expected %s", got, ret, want.word));
                }
                if (want.kind == Kind.INT && want.num != ret) {
                    throw fail(String.format("returned 0x%08X, expected 0x%08X", ret, want.num));
                }
                return;
            }
            if (sig.ret.kind.equals("u32") && want.kind == Kind.INT) {
                if (want.num != ret) {
                    throw fail("returned " + ret + ", expected " + want.num);
                }
                return;
            }
            throw fail("this return cannot be checked that way");
        }

        void finish(Type t, Object value, Token want) {
            if (t.kind.equals("outv_handle")) {
                @SuppressWarnings("unchecked")
                List<Long> all = value == null ? List.of() : (List<Long>) value;
                for (int i = 1; i < all.size(); i++) {
                    release(t.handle, all.get(i));
                }
                finishHandle(t.handle, all.isEmpty() ? 0L : all.get(0), want);
                return;
            }
            if (t.kind.equals("out_handle")) {
                finishHandle(t.handle, value == null ? 0L : (long) value, want);
                return;
            }
            if (want == null || want.kind == Kind.ANY) {
                return;
            }
            boolean isInt = t.kind.equals("out_u32") || t.kind.equals("out_u64") || t.kind.equals("out_hresult");
            if (want.kind == Kind.BIND) {
                bindings.put(want.word, new Object[] {isInt ? "int" : "str", value, ""});
                return;
            }
            if (isInt) {
                if (want.kind != Kind.INT && want.kind != Kind.REF) {
                    throw fail("an integer out-value cannot be checked that way");
                }
                long expected = want.kind == Kind.REF ? (long) ref(want, "int")[1] : want.num;
                if ((long) value != expected) {
                    throw fail("out-value " + Long.toUnsignedString((long) value) + ", expected "
                            + Long.toUnsignedString(expected));
                }
                return;
            }
            byte[] expected = want.kind == Kind.REF ? (byte[]) ref(want, "str")[1] : stringArg(want);
            byte[] got = (byte[]) value;
            if (!Arrays.equals(got, expected) || want.kind == Kind.REF && got == null) {
                throw fail("out-value " + show(got) + ", expected " + show(expected));
            }
        }

        static String show(byte[] b) {
            return b == null ? "NULL" : "\"" + escape(b, 0, Math.min(b.length, 200)) + "\"";
        }

        void finishHandle(String htype, long value, Token want) {
            if (want != null && want.kind == Kind.BIND) {
                bindings.put(want.word, new Object[] {"handle", value, htype});
                return;
            }
            release(htype, value);
            if (want == null || want.kind == Kind.ANY) {
                return;
            }
            if (want.kind == Kind.NULL) {
                if (value != 0) {
                    throw fail("a " + htype + " handle came back, NULL was expected");
                }
                return;
            }
            throw fail("a handle out-value is checked with &name, NULL or *");
        }
    }

    /**
     * Runs one vector file; returns {calls made, lines skipped}. Throws
     * Mismatch ("FILE:LINE: CALL: message") at the first mismatch;
     * {@code trace} gets each step's trace line (tests/vectors/README.md,
     * "The trace").
     */
    public static int[] runFile(Path path, Table table, Consumer<String> trace) throws IOException, InterruptedException {
        List<Step> steps = parseVectors(Files.readAllBytes(path));
        Path tmp = Files.createTempDirectory("openbits-vectors-");
        try {
            Run run = new Run(path, table, tmp);
            String base = path.getFileName().toString();
            for (Step s : steps) {
                run.line.clear();
                run.line.add(base + ":" + s.line + " " + s.call + " =>");
                try {
                    run.step(s);
                } finally {
                    if (trace != null) {
                        trace.accept(String.join(" ", run.line));
                    }
                }
            }
            return new int[] {run.calls, run.skipped};
        } finally {
            try (Stream<Path> all = Files.walk(tmp)) {
                all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private VectorRunner() {
    }
}
