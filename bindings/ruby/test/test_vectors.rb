# The cross-language test vectors (tests/vectors/, format in its
# README.md) through the Ruby extension, one test per file: the same
# lines the C runners check. openbits_vectors.rb is the runner;
# vector_run.rb prints its trace for vectors_agree.
require "minitest/autorun"
require "openbits_vectors"

class TestVectors < Minitest::Test
  DIR = File.expand_path("../../../tests/vectors", __dir__)
  TABLE = OpenbitsVectors.load_signatures(File.join(DIR, "signatures.txt"))

  def test_the_files_are_found
    assert_operator Dir[File.join(DIR, "*.vec")].size, :>=, 7
  end

  Dir[File.join(DIR, "*.vec")].sort.each do |path|
    define_method("test_#{File.basename(path, '.vec')}") do
      calls, = OpenbitsVectors.run_file(path, TABLE)
      assert_operator calls, :>, 0
    end
  end

  # The parser refuses what the C and Python parsers refuse.
  def test_malformed_lines_are_refused
    lines = File.binread(File.join(DIR, "malformed.txt")).split("\n").reject { |l| l.empty? || l.start_with?("#") }
    assert_operator lines.size, :>, 5
    lines.each do |line|
      e = assert_raises(OpenbitsVectors::SyntaxError, line) { OpenbitsVectors.parse_vectors(line) }
      assert_match(/\Aline 1: /, e.message)
    end
  end
end
