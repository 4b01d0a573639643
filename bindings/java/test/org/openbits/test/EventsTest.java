package org.openbits.test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.openbits.Event;
import org.openbits.EventKind;
import org.openbits.Job;
import org.openbits.JobState;
import org.openbits.Manager;

/**
 * Events in Java, over real HTTP to the loopback test server: jobs of
 * each kind driven through the library's engine, and the nine BITS
 * states observed through EventListeners, which run on the library's
 * notification thread attached to the JVM ("openbits-events"). Then the
 * same through Manager.EVENT_FD, on the calling thread.
 */
final class EventsTest {
    private EventsTest() {
    }

    static final long FLAGS = EventKind.JOB_TRANSFERRED.flag() | EventKind.JOB_ERROR.flag()
            | EventKind.JOB_MODIFICATION.flag();

    /** The states each job's events carried, by display name. */
    static final class Seen {
        final Map<String, List<JobState>> states = new ConcurrentHashMap<>();
        final Map<String, Long> errors = new ConcurrentHashMap<>();
        final Set<String> threads = ConcurrentHashMap.newKeySet();
        final Map<String, Integer> marks = new ConcurrentHashMap<>();

        /** Later checks look only at events after this point (before an action). */
        void mark(String name) {
            marks.put(name, states.getOrDefault(name, Collections.emptyList()).size());
        }

        void add(String name, Event e) {
            states.computeIfAbsent(name, k -> new CopyOnWriteArrayList<>()).add(e.state());
            if (e.kind() == EventKind.JOB_ERROR) {
                errors.put(name, e.errorCode());
            }
            threads.add(Thread.currentThread().getName());
            synchronized (this) {
                notifyAll();
            }
        }

        /** An event since the mark brought s. */
        boolean has(String name, JobState s) {
            List<JobState> all = states.getOrDefault(name, Collections.emptyList());
            return all.subList(Math.min(marks.getOrDefault(name, 0), all.size()), all.size()).contains(s);
        }
    }

    interface Pump {
        void pump() throws InterruptedException;
    }

    /** Waits (running pump) until name's events brought state; 20 s at most. */
    static void reach(Seen seen, String name, JobState state, Pump pump) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!seen.has(name, state) && System.nanoTime() < deadline) {
            pump.pump();
        }
        Check.ok(seen.has(name, state), name + ": " + state + " through an event (saw "
                + seen.states.getOrDefault(name, List.of()) + ")");
    }

    static Job jobFor(Manager mgr, TestServer server, Path dest, Seen seen, String name, String path) {
        Job job = mgr.createJob(name);
        job.addFile(server.url(path), dest.resolve(name).toString());
        job.setNotifyFlags(FLAGS);
        job.onEvent(e -> seen.add(e.job().displayName(), e)); // the Job works inside
        return job;
    }

    /** Each job reaches its states through the events that follow an action. */
    static void scenario(Manager mgr, TestServer server, Path dest, Seen seen, String busyPath, Pump pump)
            throws Exception {
        List<Job> jobs = new ArrayList<>();
        try {
            Job done = jobFor(mgr, server, dest, seen, "done", "/t.bin");
            jobs.add(done);
            seen.mark("done");
            done.resume();
            reach(seen, "done", JobState.TRANSFERRED, pump);
            seen.mark("done");
            done.complete();
            reach(seen, "done", JobState.ACKNOWLEDGED, pump);
            Check.equal(200_000L, Files.size(dest.resolve("done")), "the completed file is there");

            Job missing = jobFor(mgr, server, dest, seen, "missing", "/missing.bin");
            jobs.add(missing);
            seen.mark("missing");
            missing.resume();
            reach(seen, "missing", JobState.ERROR, pump);
            Check.equal(0x80190194L, seen.errors.get("missing"), "JOB_ERROR carries BG_E_HTTP_ERROR_404, unsigned");
            Check.equal(0x80190194L, missing.errorCode(), "and so does the job's error");
            seen.mark("missing");
            missing.cancel();
            reach(seen, "missing", JobState.CANCELLED, pump);

            Job busy = jobFor(mgr, server, dest, seen, "busy", busyPath);
            jobs.add(busy);
            seen.mark("busy");
            busy.resume();
            reach(seen, "busy", JobState.CONNECTING, pump);
            reach(seen, "busy", JobState.TRANSIENT_ERROR, pump);
            busy.cancel();

            Job slow = jobFor(mgr, server, dest, seen, "slow", "/slow.bin");
            jobs.add(slow);
            slow.setMaxBandwidth(200_000);
            seen.mark("slow");
            slow.resume();
            reach(seen, "slow", JobState.QUEUED, pump);
            reach(seen, "slow", JobState.TRANSFERRING, pump);
            seen.mark("slow");
            slow.suspend();
            reach(seen, "slow", JobState.SUSPENDED, pump);
            seen.mark("slow");
            slow.cancel();
            reach(seen, "slow", JobState.CANCELLED, pump);

            EnumSet<JobState> all = EnumSet.noneOf(JobState.class);
            seen.states.values().forEach(all::addAll);
            Check.equal(EnumSet.allOf(JobState.class), all, "all nine states came through events");
        } finally {
            jobs.forEach(Job::close);
        }
    }

    static final String CONFIG = "[{\"path\": \"/t.bin\", \"size\": 200000},"
            + " {\"path\": \"/slow.bin\", \"size\": 4000000, \"generator\": \"fast\"},"
            + " {\"path\": \"/busy.bin\", \"size\": 1000, \"statuses\": [503], \"delay\": 1},"
            + " {\"path\": \"/busy-fd.bin\", \"size\": 1000, \"statuses\": [503], \"delay\": 1}]";

    static void run() throws Exception {
        Path dest = Files.createTempDirectory("openbits-java-dl");
        try (TestServer server = new TestServer(CONFIG)) {
            // The library's notification thread, attached to the JVM.
            Seen seen = new Seen();
            AtomicInteger managerEvents = new AtomicInteger();
            try (Manager mgr = Manager.openInMemory()) {
                mgr.onEvent(e -> {
                    managerEvents.incrementAndGet();
                    e.job().close();
                });
                scenario(mgr, server, dest, seen, "/busy.bin", () -> {
                    synchronized (seen) {
                        seen.wait(100);
                    }
                });
                Check.equal(Set.of("openbits-events"), seen.threads,
                        "listeners ran on the library's thread, attached to the JVM");
                Check.ok(managerEvents.get() > 10, "the manager listener saw them too (" + managerEvents + ")");

                // An exception in a listener goes to the thread's handler; events go on.
                AtomicReference<Throwable> uncaught = new AtomicReference<>();
                Seen more = new Seen();
                try (Job job = mgr.createJob("doomed")) {
                    job.addFile(server.url("/t.bin"), dest.resolve("doomed").toString());
                    job.setNotifyFlags(FLAGS);
                    job.onEvent(e -> {
                        if (uncaught.get() == null) {
                            Thread.currentThread().setUncaughtExceptionHandler((t, x) -> uncaught.set(x));
                        }
                        more.add("doomed", e);
                        if (e.state() == JobState.TRANSFERRED) {
                            throw new IllegalStateException("listener failed");
                        }
                    });
                    job.resume();
                    reach(more, "doomed", JobState.TRANSFERRED, () -> {
                        synchronized (more) {
                            more.wait(100);
                        }
                    });
                    job.cancel();
                    reach(more, "doomed", JobState.CANCELLED, () -> {
                        synchronized (more) {
                            more.wait(100);
                        }
                    });
                    Check.ok(uncaught.get() instanceof IllegalStateException,
                            "a listener's exception reached the thread's uncaught-exception handler");
                }
            }

            // Manager.EVENT_FD: the same, delivered inside dispatch on this thread.
            Seen fd = new Seen();
            Path dest2 = Files.createDirectory(dest.resolve("fd"));
            try (Manager mgr = Manager.open(null, Manager.IN_MEMORY | Manager.EVENT_FD)) {
                scenario(mgr, server, dest2, fd, "/busy-fd.bin", () -> mgr.dispatch(100));
                Check.equal(Set.of(Thread.currentThread().getName()), fd.threads,
                        "with EVENT_FD, listeners ran inside dispatch on the calling thread");
            }
        } finally {
            try (var all = Files.walk(dest)) {
                all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
