# The loopback test HTTP server (python_tests/server/openbits_test_server.py)
# as a subprocess, for the Ruby tests: started with a --config file of
# contents and behaviours (python_tests/server/README.md), stopped
# (SIGTERM, then waited for) by #stop. The script and the interpreter
# come from $OPENBITS_TEST_SERVER and $OPENBITS_PYTHON (set by CTest), as
# for the C tests (tests/http_server.c).
require "json"
require "tmpdir"
require "fileutils"

class OpenbitsTestServer
  attr_reader :port

  def initialize(config)
    script = ENV.fetch("OPENBITS_TEST_SERVER") { raise "OPENBITS_TEST_SERVER is not set" }
    python = ENV.fetch("OPENBITS_PYTHON", "/usr/bin/python3")
    @dir = Dir.mktmpdir("openbits-server-")
    File.write(File.join(@dir, "config.json"), JSON.generate(config))
    Dir.mkdir(File.join(@dir, "www"))
    port_file = File.join(@dir, "port")
    @pid = Process.spawn(python, script, "--port", "0", "--port-file", port_file, "--root", File.join(@dir, "www"),
                         "--config", File.join(@dir, "config.json"), "--lifetime", "120")
    200.times do # up to 10 s
      text = File.exist?(port_file) ? File.read(port_file) : ""
      if text =~ /\A(\d+)/
        @port = Integer(Regexp.last_match(1))
        return
      end
      sleep 0.05
    end
    stop
    raise "the test server did not start"
  end

  def url(path) = "http://127.0.0.1:#{@port}#{path}"

  def stop
    if @pid
      Process.kill("TERM", @pid)
      Process.wait(@pid)
      @pid = nil
    end
    FileUtils.remove_entry(@dir) if @dir && File.exist?(@dir)
  end
end
