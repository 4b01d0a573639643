# Smoke test of the Ruby binding: the job life cycle, codes and errors,
# strings, through the extension SWIG generates from bindings/swig/openbits.i.
require "minitest/autorun"
require "tmpdir"
require "openbits"

class TestSmoke < Minitest::Test
  def setup
    @tmp = Dir.mktmpdir("openbits-ruby")
    hr, @mgr = Openbits.bits_manager_open(nil, Openbits::BITS_MANAGER_OPEN_IN_MEMORY)
    assert_equal Openbits::BITS_S_OK, hr
  end

  def teardown
    Openbits.bits_manager_close(@mgr)
    FileUtils.remove_entry(@tmp)
  end

  def error_of
    yield
    flunk "no error raised"
  rescue Openbits::Error => e
    e
  end

  def test_life_cycle
    hr, id, job = Openbits.bits_manager_create_job(@mgr, "ruby", Openbits::BG_JOB_TYPE_DOWNLOAD)
    assert_equal Openbits::BITS_S_OK, hr
    assert_match(/\A\{[0-9a-f-]{36}\}\z/, id)
    assert_equal [Openbits::BITS_S_OK, Openbits::BG_JOB_STATE_SUSPENDED], Openbits.bits_job_get_state(job)
    e = error_of { Openbits.bits_job_resume(job) }
    assert_equal "BG_E_EMPTY", e.code_name
    assert_equal 0x80200003, e.hresult
    assert_equal Openbits::BG_E_EMPTY, e.hresult
    assert_match(/\ABG_E_EMPTY \(0x80200003\): /, e.message)
    assert_equal Openbits::BITS_S_OK, Openbits.bits_job_add_file(job, "http://127.0.0.1:9/x", "#{@tmp}/x")
    assert_equal "BITS_E_INVALIDARG", error_of { Openbits.bits_job_add_file(job, "http://127.0.0.1:9/x", "rel") }.code_name
    Openbits.bits_job_resume(job)
    Openbits.bits_job_suspend(job)
    assert_equal Openbits::BG_JOB_STATE_SUSPENDED, Openbits.bits_job_get_state(job)[1]
    Openbits.bits_job_cancel(job)
    assert_equal Openbits::BG_JOB_STATE_CANCELLED, Openbits.bits_job_get_state(job)[1]
    assert_equal "BG_E_NOT_FOUND", error_of { Openbits.bits_manager_get_job(@mgr, id) }.code_name
    Openbits.bits_job_release(job)
  end

  def test_codes_are_unsigned_everywhere
    assert_equal 0x80200001, Openbits::BG_E_NOT_FOUND
    assert_equal "BG_E_NOT_FOUND", Openbits.bits_hresult_name(Openbits::BG_E_NOT_FOUND)
    assert_equal "BG_E_NOT_FOUND", Openbits.bits_hresult_name(Openbits::BG_E_NOT_FOUND - (1 << 32))
    assert_raises(RangeError) { Openbits.bits_hresult_name(1 << 32) }
    hr, code = Openbits.bits_hresult_at(0)
    assert_equal Openbits::BITS_S_OK, hr
    assert_kind_of Integer, code
    codes = (0..).lazy.map { |i| Openbits.bits_hresult_at(i) }.take_while { |h, _| h == Openbits::BITS_S_OK }.map(&:last).to_a
    assert_includes codes, 0x80200002
    assert codes.all? { |c| c >= 0 }, "out-codes are the unsigned numbers"
  end

  def test_strings
    _, _, job = Openbits.bits_manager_create_job(@mgr, "name", 0)
    Openbits.bits_job_set_display_name(job, "\u00e9t\u00e9 \u20ac")
    _, name = Openbits.bits_job_get_display_name(job)
    assert_equal Encoding::UTF_8, name.encoding
    assert_equal "\u00e9t\u00e9 \u20ac", name
    ["a\0b", "\0", "nul\0"].each do |bad|
      assert_equal "BITS_E_INVALIDARG", error_of { Openbits.bits_job_set_display_name(job, bad) }.code_name
      assert_equal "BITS_E_INVALIDARG", error_of { Openbits.bits_manager_create_job(@mgr, bad, 0) }.code_name
    end
    assert_equal "\u00e9t\u00e9 \u20ac", Openbits.bits_job_get_display_name(job)[1], "nothing was cut"
    guid = Openbits.bits_job_get_id(job)[1]
    assert_equal "BITS_E_INVALIDARG", error_of { Openbits.bits_manager_get_job(@mgr, guid + "\0") }.code_name
    assert_equal "BITS_E_INVALIDARG", error_of { Openbits.bits_manager_get_job(@mgr, nil) }.code_name
    assert_raises(TypeError) { Openbits.bits_job_set_display_name(job, 42) }
    Openbits.bits_job_cancel(job)
    Openbits.bits_job_release(job)
  end

  def test_enumerator
    _, e = Openbits.bits_manager_enum_jobs(@mgr, 0)
    assert_equal [Openbits::BITS_S_OK, 0], Openbits.bits_job_enum_get_count(e)
    hr, none = Openbits.bits_job_enum_next_one(e)
    assert_equal Openbits::BITS_S_FALSE, hr
    assert_nil none
    Openbits.bits_job_enum_free(e)
  end
end
