# Events in Ruby, over real HTTP to the loopback test server: a job of
# each kind is driven through the library's engine, and the nine BITS
# states are observed through the job callbacks, which run on this Ruby
# thread only, inside Openbits.openbits_wait_events (the manager is
# opened with BITS_MANAGER_OPEN_EVENT_FD). Also: an exception in a
# callback comes out of the dispatching call, and a manager without the
# flag never enters Ruby from the library's thread.
require "minitest/autorun"
require "tmpdir"
require "openbits"
require "openbits_test_server"

class TestEvents < Minitest::Test
  STATES = %w[QUEUED CONNECTING TRANSFERRING SUSPENDED ERROR TRANSIENT_ERROR TRANSFERRED ACKNOWLEDGED CANCELLED].freeze
  FLAGS = Openbits::BG_NOTIFY_JOB_TRANSFERRED | Openbits::BG_NOTIFY_JOB_ERROR | Openbits::BG_NOTIFY_JOB_MODIFICATION

  def setup
    @server = OpenbitsTestServer.new([
      { path: "/t.bin", size: 200_000 },
      { path: "/slow.bin", size: 4_000_000, generator: "fast" },
      { path: "/busy.bin", size: 1_000, statuses: [503], delay: 1 },
    ])
    @dest = Dir.mktmpdir("openbits-ruby-dl")
    _, @mgr = Openbits.bits_manager_open(nil, Openbits::BITS_MANAGER_OPEN_IN_MEMORY | Openbits::BITS_MANAGER_OPEN_EVENT_FD)
    @states = Hash.new { |h, k| h[k] = [] }
    @errors = {}
    @marks = Hash.new(0)
    @outside = 0
    @dispatching = false
    @thread = Thread.current
    @jobs = []
  end

  def teardown
    @jobs.each { |j| Openbits.bits_job_release(j) }
    Openbits.bits_manager_close(@mgr)
    @server.stop
    FileUtils.remove_entry(@dest)
  end

  # A job downloading path, whose events record the states they carry.
  def job_for(name, path)
    _, _, job = Openbits.bits_manager_create_job(@mgr, name, Openbits::BG_JOB_TYPE_DOWNLOAD)
    @jobs << job
    Openbits.bits_job_add_file(job, @server.url(path), File.join(@dest, name))
    Openbits.bits_job_set_notify_flags(job, FLAGS)
    Openbits.openbits_set_job_callback(job, lambda do |kind, state, code, ev_job, _file|
      @outside += 1 unless @dispatching && Thread.current == @thread
      _, display = Openbits.bits_job_get_display_name(ev_job) # the handle works
      @states[display] << state
      @errors[display] = code if kind == Openbits::BITS_EVENT_JOB_ERROR
    end)
    job
  end

  # Later checks of name look only at the events after this point (taken
  # before an action, so an earlier event cannot answer for it).
  def mark(name) = @marks[name] = @states[name].size

  # Dispatches on this thread until name's events since its mark brought
  # state (20 s at most).
  def reach(name, state)
    deadline = Process.clock_gettime(Process::CLOCK_MONOTONIC) + 20
    until @states[name].drop(@marks[name]).include?(state)
      if Process.clock_gettime(Process::CLOCK_MONOTONIC) > deadline
        flunk "#{name}: no #{STATES[state]} event in 20 s (got #{@states[name].map { |s| STATES[s] }})"
      end
      @dispatching = true
      Openbits.openbits_wait_events(@mgr, 100)
      @dispatching = false
    end
  end

  def test_all_nine_states_through_real_events
    manager_events = 0
    Openbits.openbits_set_manager_callback(@mgr, ->(*) { manager_events += 1 })

    done = job_for("done", "/t.bin")
    mark("done")
    Openbits.bits_job_resume(done)
    reach("done", Openbits::BG_JOB_STATE_TRANSFERRED)
    mark("done")
    Openbits.bits_job_complete(done)
    reach("done", Openbits::BG_JOB_STATE_ACKNOWLEDGED)
    assert_equal 200_000, File.size(File.join(@dest, "done"))

    missing = job_for("missing", "/missing.bin")
    mark("missing")
    Openbits.bits_job_resume(missing)
    reach("missing", Openbits::BG_JOB_STATE_ERROR)
    assert_equal 0x80190194, @errors["missing"], "JOB_ERROR carries BG_E_HTTP_ERROR_404, unsigned"
    assert_equal Openbits::BG_E_HTTP_ERROR_404, @errors["missing"]
    mark("missing")
    Openbits.bits_job_cancel(missing)
    reach("missing", Openbits::BG_JOB_STATE_CANCELLED)

    busy = job_for("busy", "/busy.bin")
    mark("busy")
    Openbits.bits_job_resume(busy)
    reach("busy", Openbits::BG_JOB_STATE_CONNECTING)
    reach("busy", Openbits::BG_JOB_STATE_TRANSIENT_ERROR)
    Openbits.bits_job_cancel(busy)

    slow = job_for("slow", "/slow.bin")
    Openbits.bits_job_set_max_bandwidth(slow, 200_000)
    mark("slow")
    Openbits.bits_job_resume(slow)
    reach("slow", Openbits::BG_JOB_STATE_QUEUED)
    reach("slow", Openbits::BG_JOB_STATE_TRANSFERRING)
    mark("slow")
    Openbits.bits_job_suspend(slow)
    reach("slow", Openbits::BG_JOB_STATE_SUSPENDED)
    mark("slow")
    Openbits.bits_job_cancel(slow)
    reach("slow", Openbits::BG_JOB_STATE_CANCELLED)

    assert_equal STATES, @states.values.flatten.uniq.sort.map { |s| STATES[s] }, "all nine states came through events"
    assert_equal 0, @outside, "every callback ran inside openbits_wait_events, on this thread"
    assert_operator manager_events, :>, 10, "the manager callback saw them too"
  end

  def test_an_exception_in_a_callback_comes_out_of_the_dispatching_call
    job = job_for("doomed", "/t.bin")
    Openbits.openbits_set_job_callback(job, lambda do |_kind, state, *|
      raise ArgumentError, "callback failed" if state == Openbits::BG_JOB_STATE_TRANSFERRED
    end)
    Openbits.bits_job_resume(job)
    error = assert_raises(ArgumentError) do
      200.times { Openbits.openbits_wait_events(@mgr, 100) }
    end
    assert_equal "callback failed", error.message
    assert_equal Openbits::BITS_S_OK, Openbits.openbits_set_job_callback(job, nil)
    assert_raises(TypeError) { Openbits.openbits_set_job_callback(job, 42) }
  end

  def test_no_ruby_from_the_library_thread
    _, mgr = Openbits.bits_manager_open(nil, Openbits::BITS_MANAGER_OPEN_IN_MEMORY)
    e = assert_raises(Openbits::Error) { Openbits.openbits_set_manager_callback(mgr, ->(*) { flunk }) }
    assert_equal "BG_E_INVALID_STATE", e.code_name
    source = File.join(@dest, "source.txt")
    File.write(source, "twelve bytes")
    _, _, copy = Openbits.bits_manager_create_job(mgr, "copy", 0)
    Openbits.bits_job_add_file(copy, source, File.join(@dest, "copy.txt"))
    before = Openbits.openbits_dropped_events
    entered = false
    Openbits.openbits_set_job_callback(copy, ->(*) { entered = true })
    Openbits.bits_job_resume(copy)
    state = nil
    500.times do
      state = Openbits.bits_job_get_state(copy)[1]
      break if state == Openbits::BG_JOB_STATE_TRANSFERRED && Openbits.openbits_dropped_events > before
      sleep 0.02
    end
    assert_equal Openbits::BG_JOB_STATE_TRANSFERRED, state
    assert_operator Openbits.openbits_dropped_events, :>, before, "the event was dropped"
    refute entered, "Ruby was not entered from the library's thread"
    Openbits.openbits_set_job_callback(copy, nil)
    Openbits.bits_job_cancel(copy)
    Openbits.bits_job_release(copy)
    Openbits.bits_manager_close(mgr)
  end

  def test_wait_lets_other_ruby_threads_run
    ticks = 0
    ticker = Thread.new { 20.times { ticks += 1; sleep 0.01 } }
    Openbits.openbits_wait_events(@mgr, 400)
    ticker.join
    assert_operator ticks, :>=, 10, "the GVL is released while waiting"
  end
end
