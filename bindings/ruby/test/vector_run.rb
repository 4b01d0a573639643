# Runs the test vectors through the Ruby extension and prints the trace
# (tests/vectors/README.md, "The trace"), for vectors_agree:
#   ruby -I BUILD/ruby -I test vector_run.rb SIGNATURES VECTOR...
# One trace line per step on stdout, a mismatch on stderr, exit status 1
# when a vector failed.
require "openbits_vectors"

abort "usage: #{$PROGRAM_NAME} SIGNATURES VECTOR..." if ARGV.size < 2
$stdout.sync = true
table = OpenbitsVectors.load_signatures(ARGV[0])
files = ARGV[1..]
failures = 0
files.each do |path|
  calls, skipped = OpenbitsVectors.run_file(path, table) { |line| puts line }
  puts "ok   #{path}: #{calls} calls, #{skipped} skipped"
rescue OpenbitsVectors::Mismatch, OpenbitsVectors::SyntaxError => e
  warn e.message
  puts "FAIL #{path}"
  failures += 1
end
puts "#{files.size - failures} of #{files.size} vector files passed"
exit(failures.zero? ? 0 : 1)
