# The test vectors of tests/vectors/ (format in its README.md) through the
# Ruby extension openbits: the Ruby twin of python_tests/vector_format.py
# (the parser), vector_exec.py (the executor) and the SWIG backend of
# test_vectors_swig.py. test_vectors.rb runs it under minitest;
# vector_run.rb prints its trace for vectors_agree.
#
#   table = OpenbitsVectors.load_signatures(path)
#   calls, skipped = OpenbitsVectors.run_file(path, table) { |line| puts line }
#
# Strings are binary (ASCII-8BIT) throughout: a vector may hold any bytes,
# and Ruby passes them to the library as they are. The binding hides
# out-parameters, so a line passing NULL for one is skipped when it
# expects a failure (it changes nothing); bits_*_enum_next runs as celt
# calls of bits_*_enum_next_one, the form the binding offers.
require "tmpdir"
require "fileutils"
require "openbits"

module OpenbitsVectors
  class SyntaxError < StandardError; end
  class Mismatch < StandardError; end

  MAX_STRING = 1 << 20
  MAX_TOKENS = 16
  HANDLE_TYPES = %w[manager job file job_enum file_enum error].freeze
  PLAIN_TYPES = %w[void hresult u32 u64 cstr str guid ptr out_u32 out_u64 out_hresult out_str out_guid].freeze
  ESCAPES = { "n" => "\n", "r" => "\r", "t" => "\t", "\\" => "\\", '"' => '"' }.freeze

  Token = Struct.new(:kind, :value)
  Step = Struct.new(:line, :call, :args, :has_expect, :ret, :outs)
  Type = Struct.new(:kind, :handle) do
    def out? = kind.start_with?("out")
  end
  Signature = Struct.new(:name, :ret, :params)
  Table = Struct.new(:sigs, :releases)

  # ---- the parser --------------------------------------------------------------

  def self.syntax(lineno, message) = raise(SyntaxError, "line #{lineno}: #{message}")

  def self.number(line, pos, lineno)
    m = /\G(?:0[xX][0-9a-fA-F]+|[0-9]+)/n.match(line, pos) or syntax(lineno, "malformed number")
    value = m[0].start_with?("0x", "0X") ? m[0][2..].to_i(16) : m[0].to_i
    syntax(lineno, "number too large") if value >= 1 << 64
    [value, m.end(0)]
  end

  def self.string(line, pos, lineno)
    out = "".b
    pos += 1
    loop do
      syntax(lineno, "unterminated string") if pos >= line.bytesize
      ch = line.byteslice(pos, 1)
      pos += 1
      break if ch == '"'
      if ch == "\\"
        e = line.byteslice(pos, 1)
        if ESCAPES.key?(e)
          out << ESCAPES[e]
          pos += 1
        elsif e == "x" && line.byteslice(pos + 1, 2) =~ /\A[0-9a-fA-F]{2}\z/n
          out << line.byteslice(pos + 1, 2).to_i(16).chr
          pos += 3
        else
          syntax(lineno, "unknown escape \\#{e}")
        end
        next
      end
      out << ch
    end
    times = 1
    times, pos = number(line, pos + 1, lineno) if line.byteslice(pos, 1) == "*"
    syntax(lineno, "string repetition out of range") if times.zero? || out.bytesize * times > MAX_STRING
    [Token.new(:STR, out * times), pos]
  end

  # The tokens of one line; nil stands for "=>".
  def self.tokens(line, lineno)
    toks = []
    pos = 0
    len = line.bytesize
    loop do
      pos += 1 while pos < len && " \t\r".include?(line.byteslice(pos, 1))
      break if pos >= len || line.byteslice(pos, 1) == "#"
      ch = line.byteslice(pos, 1)
      if ch == '"'
        tok, pos = string(line, pos, lineno)
      elsif line.byteslice(pos, 2) == "=>"
        tok = nil
        pos += 2
      elsif ch == "*"
        tok = Token.new(:ANY)
        pos += 1
      elsif ch =~ /\A[0-9]\z/n
        value, pos = number(line, pos, lineno)
        tok = Token.new(:INT, value)
      elsif ch == "$" || ch == "&" || ch =~ /\A[A-Za-z0-9_]\z/n
        start = ch == "$" || ch == "&" ? pos + 1 : pos
        m = /\G[A-Za-z0-9_]+/n.match(line, start) or syntax(lineno, "a name is expected after '#{ch}'")
        word = m[0]
        pos = m.end(0)
        tok = if ch == "$" then Token.new(:REF, word)
              elsif ch == "&" then Token.new(:BIND, word)
              elsif word == "NULL" then Token.new(:NULL, word)
              elsif word == "out" then Token.new(:OUT, word)
              else Token.new(:NAME, word)
              end
      else
        syntax(lineno, "unexpected character #{ch.inspect}")
      end
      syntax(lineno, "a blank is expected after a token") if pos < len && !" \t\r#".include?(line.byteslice(pos, 1))
      toks << tok
    end
    toks
  end

  # The steps of a .vec file given as bytes.
  def self.parse_vectors(data)
    steps = []
    data.b.split("\n", -1).each_with_index do |line, i|
      lineno = i + 1
      syntax(lineno, "NUL byte in the line") if line.include?("\0")
      step = nil
      tokens(line, lineno).each do |tok|
        if step.nil?
          syntax(lineno, "a function name is expected first") if tok.nil? || tok.kind != :NAME
          step = Step.new(lineno, tok.value, [], false, nil, [])
        elsif tok.nil?
          syntax(lineno, "'=>' must follow the arguments") if step.has_expect
          step.has_expect = true
        elsif !step.has_expect
          syntax(lineno, "this token is not an argument") unless %i[NULL INT STR REF OUT].include?(tok.kind)
          syntax(lineno, "too many tokens") if step.args.size == MAX_TOKENS
          step.args << tok
        elsif step.ret.nil?
          syntax(lineno, "a code name, number or * is expected") unless %i[NAME INT ANY].include?(tok.kind)
          step.ret = tok
        else
          syntax(lineno, "not an expected output") unless %i[NULL INT STR REF BIND ANY].include?(tok.kind)
          syntax(lineno, "too many tokens") if step.outs.size == MAX_TOKENS
          step.outs << tok
        end
      end
      next unless step
      syntax(lineno, "an expected return is missing") if step.has_expect && step.ret.nil?
      steps << step
    end
    steps
  end

  def self.type_of(word)
    return Type.new(word, "") if PLAIN_TYPES.include?(word)
    [["out_", "out_handle"], ["outv_", "outv_handle"], ["", "handle"]].each do |prefix, kind|
      rest = word.delete_prefix(prefix)
      return Type.new(kind, rest) if word.start_with?(prefix) && HANDLE_TYPES.include?(rest)
    end
    raise SyntaxError, "unknown type #{word}"
  end

  def self.load_signatures(path)
    table = Table.new({}, {})
    File.read(path).each_line do |line|
      words = line.sub(/#.*/, "").split
      next if words.empty?
      if words[0] == "release"
        table.releases[words[1]] = words[2]
      else
        table.sigs[words[0]] = Signature.new(words[0], type_of(words[1]), words[2..].map { |w| type_of(w) })
      end
    end
    table
  end

  # ---- the SWIG backend: calls through the module Openbits ------------------

  OUT = Object.new.freeze # an out-parameter for which storage is wanted
  GUID = /\A\{\h{8}-\h{4}-\h{4}-\h{4}-\h{12}\}\z/n

  class Run
    attr_reader :calls, :skipped, :line

    def initialize(path, table, tmpdir)
      @path, @table, @tmp = path, table, tmpdir.b
      @bindings = {}
      @calls = @skipped = 0
      @guids = []
      @line = []
    end

    def start(step)
      @step = step
      @line = ["#{File.basename(@path)}:#{step.line} #{step.call} =>"]
    end

    def fail!(message) = raise(Mismatch, "#{@path}:#{@step.line}: #{@step.call}: #{message}")

    # -- the backend --
    def code_name(code) = Openbits.bits_hresult_name(code)

    def release(htype, handle)
      Openbits.send(@table.releases.fetch(htype), handle) unless handle.nil?
    end

    def skip_reason(sig, step, args)
      expects_failure = step.ret && step.ret.value.to_s.include?("_E_")
      args.each_with_index do |a, i|
        return "a NULL out-pointer" if a.nil? && sig.params[i].out? && expects_failure
      end
      nil
    end

    # [code or return value, out values (nil on failure)] of one call.
    def invoke(name, inargs)
      result = Openbits.send(name, *inargs)
      result.is_a?(Array) ? [result[0], result[1..]] : [result, []]
    rescue Openbits::Error => e
      [e.hresult, nil]
    end

    def enum_next(sig, args)
      handles = []
      code = 0
      args[1].times do
        code, outs = invoke("#{sig.name}_one", [args[0]])
        break if code >= 0x80000000 || outs[0].nil?
        handles << outs[0]
      end
      code = handles.size == args[1] ? 0 : 1 if code < 0x80000000 # BITS_S_OK / BITS_S_FALSE
      [code, [nil, nil, handles + [nil] * ([args[1], 1].max - handles.size), handles.size]]
    end

    def call(sig, args)
      if sig.name.end_with?("_enum_next")
        code, outs = enum_next(sig, args)
        return [code, outs.each_with_index.map { |o, i| args[i].equal?(OUT) ? o : nil }]
      end
      inargs = sig.params.each_index.reject { |i| sig.params[i].out? }.map { |i| args[i] }
      ret, values = invoke(sig.name, inargs)
      outs = [nil] * args.size
      return [ret, outs] if values.nil?
      out_params = sig.params.each_index.select { |i| sig.params[i].out? }
      raise "#{sig.name} returned #{values.size} values for #{out_params.size} outs" if values.size != out_params.size
      out_params.zip(values).each do |i, value|
        value = value.b if value.is_a?(String)
        if args[i].equal?(OUT)
          outs[i] = value
        elsif sig.params[i].kind == "out_handle"
          release(sig.params[i].handle, value) # asked for NULL: drop it
        end
      end
      [ret, outs]
    end

    # -- the executor --
    def ref(tok, kind)
      b = @bindings[tok.value] or fail!("$#{tok.value} is not bound")
      fail!("$#{tok.value} is bound to a value of another type") if b[:kind] != kind
      b
    end

    def expand(value) = value.gsub("$TMP".b, @tmp)

    def string_arg(tok)
      case tok.kind
      when :NULL then nil
      when :STR then expand(tok.value)
      when :REF then ref(tok, :str)[:value]
      else fail!("a string is expected")
      end
    end

    def build_arg(ptype, tok, args)
      kind = ptype.kind
      if %w[u32 u64 hresult].include?(kind)
        value = case tok.kind
                when :REF then ref(tok, :int)[:value]
                when :INT then tok.value
                else fail!("an integer is expected")
                end
        fail!("#{value} is out of range") if value >= 1 << (kind == "u64" ? 64 : 32)
        return value
      end
      return string_arg(tok) if %w[str guid].include?(kind)
      if kind == "ptr"
        fail!("only NULL is a valid pointer here") if tok.kind != :NULL
        return nil
      end
      if kind == "handle"
        return nil if tok.kind == :NULL
        fail!("a $handle or NULL is expected") if tok.kind != :REF
        b = ref(tok, :handle)
        fail!("$#{tok.value} is a #{b[:htype]}, not a #{ptype.handle}") if b[:htype] != ptype.handle
        return b[:value]
      end
      return nil if tok.kind == :NULL
      fail!("an out-parameter takes out or NULL") if tok.kind != :OUT
      fail!("celt above 1024") if kind == "outv_handle" && args[-1] > 1024
      OUT
    end

    def write_file(step)
      if step.args.size != 2 || step.args.any? { |t| t.kind != :STR } || step.has_expect
        fail!("write_file takes a path and a content string")
      end
      fail!("write_file: a path cannot hold a NUL") if step.args[0].value.include?("\0")
      File.binwrite(expand(step.args[0].value), step.args[1].value)
      @line << "ok"
    end

    def wait_state(step)
      a = step.args
      if a.size != 2 || a[0].kind != :REF || a[1].kind != :INT || step.has_expect
        fail!("wait_state takes a $job and a state number")
      end
      job = ref(a[0], :handle)[:value]
      state = nil
      (60 * 50).times do
        ret, outs = call(@table.sigs["bits_job_get_state"], [job, OUT])
        state = outs[1]
        if ret.zero? && state == a[1].value
          @line << state.to_s
          return
        end
        sleep 0.02
      end
      @line << state.to_s
      fail!("still in state #{state} after 60 s, expected #{a[1].value}")
    end

    def escape(bytes)
      bytes.bytes.map { |c| c.between?(0x20, 0x7E) && c != 0x22 && c != 0x5C ? c.chr : format("\\x%02x", c) }.join
    end

    def trace_string(value)
      return "NULL" if value.nil?
      if GUID.match?(value)
        key = value.downcase
        @guids << key unless @guids.include?(key)
        return "{GUID#{@guids.index(key) + 1}}"
      end
      '"' + value.split(@tmp, -1).map { |p| escape(p) }.join("$TMP") + '"'
    end

    def trace_out(ptype, value, listed)
      return "*" if listed.kind == :ANY
      case ptype.kind
      when "out_u32", "out_u64", "out_hresult" then value.to_s
      when "out_str", "out_guid" then trace_string(value)
      when "outv_handle" then value && value[0] ? "handle" : "NULL"
      else value.nil? ? "NULL" : "handle"
      end
    end

    def step(step)
      @line << "error" # until the step tells more
      if %w[write_file wait_state].include?(step.call)
        @line.pop
        return step.call == "write_file" ? write_file(step) : wait_state(step)
      end
      sig = @table.sigs[step.call] or fail!("not in the signature table")
      if step.args.size != sig.params.size
        fail!("#{step.args.size} arguments given, the function takes #{sig.params.size}")
      end
      args = []
      sig.params.zip(step.args) { |p, t| args << build_arg(p, t, args) }
      out_positions = args.each_index.select { |i| args[i].equal?(OUT) }
      if !step.outs.empty? && step.outs.size != out_positions.size
        fail!("#{step.outs.size} out-values listed for #{out_positions.size} out arguments")
      end
      if (reason = skip_reason(sig, step, args))
        @skipped += 1
        @line[-1] = "skipped (#{reason})"
        return
      end
      ret, outs = call(sig, args)
      @calls += 1
      failed = sig.ret.kind == "hresult" && ret >= 0x80000000
      @line[-1] = if sig.ret.kind == "void" then "-"
                  elsif !step.has_expect || step.ret.kind == :ANY then "*"
                  elsif sig.ret.kind == "hresult" then code_name(ret)
                  else ret.to_s
                  end
      if !failed && !step.outs.empty?
        out_positions.zip(step.outs) { |i, want| @line << trace_out(sig.params[i], outs[i], want) }
      end
      begin
        check_return(sig, step, ret)
        fail!("a failing call lists no out-values") if failed && !step.outs.empty?
      rescue Mismatch
        out_positions.each { |i| finish(sig.params[i], outs[i], nil) }
        raise
      end
      errors = []
      out_positions.each_with_index do |i, k|
        finish(sig.params[i], outs[i], step.outs[k])
      rescue Mismatch => e
        errors << e
      end
      raise errors[0] unless errors.empty?
    end

    def check_return(sig, step, ret)
      want = step.ret
      return if !step.has_expect || want.kind == :ANY
      if sig.ret.kind == "hresult"
        got = code_name(ret)
        fail!(format("returned %s (0x%08X), expected %s", got, ret, want.value)) if want.kind == :NAME && got != want.value
        fail!(format("returned 0x%08X, expected 0x%08X", ret, want.value)) if want.kind == :INT && want.value != ret
        return
      end
      if sig.ret.kind == "u32" && want.kind == :INT
        fail!("returned #{ret}, expected #{want.value}") if want.value != ret
        return
      end
      fail!("this return cannot be checked that way")
    end

    # Checks one out-value against want (nil: not checked) and binds or
    # releases it.
    def finish(ptype, value, want)
      kind = ptype.kind
      if kind == "outv_handle"
        first, *rest = value || []
        rest.each { |h| release(ptype.handle, h) }
        return finish_handle(ptype.handle, first, want)
      end
      return finish_handle(ptype.handle, value, want) if kind == "out_handle"
      return if want.nil? || want.kind == :ANY
      is_int = %w[out_u32 out_u64 out_hresult].include?(kind)
      if want.kind == :BIND
        @bindings[want.value] = { kind: is_int ? :int : :str, value: value }
        return
      end
      if is_int
        expected = want.kind == :REF ? ref(want, :int)[:value] : want.value
        fail!("out-value #{value}, expected #{expected}") if !%i[INT REF].include?(want.kind) || value != expected
        return
      end
      expected = want.kind == :REF ? ref(want, :str)[:value] : string_arg(want)
      if value != expected || (want.kind == :REF && value.nil?)
        fail!("out-value #{value.inspect[0, 200]}, expected #{expected.inspect[0, 200]}")
      end
    end

    def finish_handle(htype, value, want)
      if want && want.kind == :BIND
        @bindings[want.value] = { kind: :handle, value: value, htype: htype }
        return
      end
      release(htype, value)
      return if want.nil? || want.kind == :ANY
      if want.kind == :NULL
        fail!("a #{htype} handle came back, NULL was expected") unless value.nil?
        return
      end
      fail!("a handle out-value is checked with &name, NULL or *")
    end
  end

  # Runs one vector file; returns [calls made, lines skipped]. Raises
  # Mismatch ("FILE:LINE: CALL: message") at the first mismatch; the block
  # gets each step's trace line (tests/vectors/README.md, "The trace").
  def self.run_file(path, table)
    steps = parse_vectors(File.binread(path))
    Dir.mktmpdir("openbits-vectors-") do |tmp|
      run = Run.new(path, table, tmp)
      steps.each do |step|
        run.start(step)
        begin
          run.step(step)
        ensure
          yield run.line.join(" ") if block_given?
        end
      end
      [run.calls, run.skipped]
    end
  end
end
