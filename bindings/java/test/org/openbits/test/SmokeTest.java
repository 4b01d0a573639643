package org.openbits.test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.openbits.BitsException;
import org.openbits.Errors;
import org.openbits.HttpException;
import org.openbits.Job;
import org.openbits.JobState;
import org.openbits.Manager;
import org.openbits.swig.Native;
import org.openbits.swig.NativeConstants;

/** The idiomatic layer and the JNI layer's shapes, without a network. */
final class SmokeTest {
    private SmokeTest() {
    }

    static void run() throws Exception {
        Path tmp = Files.createTempDirectory("openbits-java");
        try (Manager mgr = Manager.openInMemory()) {
            String id;
            try (Job job = mgr.createJob("java")) {
                id = job.id();
                Check.ok(id.matches("\\{[0-9a-f-]{36}\\}"), "the id is GUID text");
                Check.equal(JobState.SUSPENDED, job.state(), "a new job is SUSPENDED");
                Errors.EmptyJobException empty = Check.raises(Errors.EmptyJobException.class, job::resume,
                        "Resume without files throws EmptyJobException");
                if (empty != null) {
                    Check.equal(0x80200003L, empty.hresult(), "with the unsigned code");
                    Check.equal("BG_E_EMPTY", empty.codeName(), "and its name");
                    Check.ok(empty.getMessage().startsWith("BG_E_EMPTY (0x80200003): "), empty.getMessage());
                    Check.ok(empty instanceof BitsException, "a BitsException");
                }
                job.addFile("http://127.0.0.1:9/x", tmp.resolve("x").toString());
                Check.raises(Errors.InvalidArgException.class, () -> job.addFile("http://127.0.0.1:9/x", "rel"),
                        "a relative local name: InvalidArgException");
                job.setDisplayName("\u00e9t\u00e9 \u20ac \ud83d\ude00");
                Check.equal("\u00e9t\u00e9 \u20ac \ud83d\ude00", job.displayName(),
                        "UTF-8 both ways, beyond the BMP too (not JNI's modified UTF-8)");
                for (String bad : new String[] {"a\u0000b", "\u0000", "nul\u0000"}) {
                    Check.raises(Errors.InvalidArgException.class, () -> job.setDisplayName(bad),
                            "a string holding U+0000 is refused: " + bad.replace("\u0000", "\\0"));
                }
                Check.raises(Errors.InvalidArgException.class, () -> job.setDisplayName("x\ud800"),
                        "a lone surrogate is refused");
                Check.equal("\u00e9t\u00e9 \u20ac \ud83d\ude00", job.displayName(), "nothing was cut");
                job.resume();
                job.suspend();
                Check.equal(JobState.SUSPENDED, job.state(), "Resume, Suspend: SUSPENDED");
                job.cancel();
                Check.equal(JobState.CANCELLED, job.state(), "Cancel: CANCELLED");
                Check.raises(Errors.InvalidStateException.class, job::resume, "no Resume after Cancel");
            }
            Check.raises(Errors.NotFoundException.class, () -> mgr.getJob(id), "a cancelled job left the queue");
            Check.raises(IllegalArgumentException.class, () -> mgr.getJob("not a guid"), "a GUID is checked");
            try (Job done = mgr.createJob("done")) {
                done.complete();
                Check.equal(JobState.ACKNOWLEDGED, done.state(), "Complete with no file: ACKNOWLEDGED");
                Check.ok(done.state().isFinal(), "a final state");
            }
            Job kept = mgr.createJob("kept");
            List<Job> jobs = mgr.jobs();
            Check.equal(1, jobs.size(), "the enumerator sees the queue");
            Check.equal(kept.id(), jobs.get(0).id(), "the same job");
            jobs.forEach(Job::close);
            kept.close();
            kept.close();
            Check.raises(IllegalStateException.class, kept::state, "a closed Job refuses calls");
        }

        // The code table.
        Check.equal(0x80200001L, NativeConstants.BG_E_NOT_FOUND, "constants are the unsigned numbers");
        Check.equal("BG_E_NOT_FOUND", Native.bits_hresult_name(NativeConstants.BG_E_NOT_FOUND), "a constant names its code");
        Check.equal("BG_E_NOT_FOUND", Native.bits_hresult_name(NativeConstants.BG_E_NOT_FOUND - (1L << 32)),
                "the signed number too");
        Check.raises(IllegalArgumentException.class, () -> Native.bits_hresult_name(1L << 32), "not a 32-bit code");
        long[] code = new long[1];
        boolean allUnsigned = true;
        int failures = 0;
        for (long i = 0; Native.bits_hresult_at(i, code) == NativeConstants.BITS_S_OK; i++) {
            allUnsigned &= code[0] >= 0 && code[0] <= 0xFFFFFFFFL;
            if ((code[0] & 0x80000000L) != 0) {
                failures++;
                BitsException e = BitsException.of(code[0]);
                if (e == null || e.hresult() != code[0] || e.getClass() == BitsException.class) {
                    Check.ok(false, "a class for " + Native.bits_hresult_name(code[0]));
                }
            }
        }
        Check.ok(allUnsigned, "out-codes are unsigned");
        Check.ok(failures > 50, failures + " failure codes, each with its Errors class");
        Check.ok(BitsException.of(0x80190194L) instanceof HttpException, "HTTP 404: HttpException");
        Check.equal(404, ((HttpException) BitsException.of(0x80190194L)).status(), "with its status");
        Check.equal(null, BitsException.of(0), "no exception for a success code");

        // Out-arrays: null passes NULL, which the library refuses.
        Check.raises(Errors.InvalidArgException.class, () -> Native.bits_manager_open(null, NativeConstants.BITS_MANAGER_OPEN_IN_MEMORY, null),
                "a null out-array is a NULL out-pointer");
        Check.raises(Errors.InvalidArgException.class, () -> Native.bits_job_get_state(0, new long[1]),
                "a 0 handle is NULL");
        Files.delete(tmp);
    }
}
