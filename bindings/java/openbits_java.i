/*
 * openbits_java.i - the JNI layer of the Java binding: the classes
 * org.openbits.swig.Native (the C API one to one, static methods with the
 * C names), NativeConstants and the snapshot structs, from the
 * language-neutral bindings/swig/openbits.i and openbits_events.i. The
 * idiomatic layer (org.openbits: Manager, Job, JobState, BitsException
 * and Errors) is written on top of it in Java (bindings/java/src).
 *
 * Java is not one of SWIG's unified-typemap languages (openbits.i's
 * SWIGUTL section), so the shapes openbits.i gives the others are here:
 * - A call returning bits_hresult returns the code as a long (the
 *   unsigned number, as the constants) and throws the BitsException
 *   subclass of a failure code (org.openbits.Errors, generated from the
 *   library's code table).
 * - Out-parameters are arrays of length 1 that receive the value
 *   (long[] for numbers and handles, String[] for strings and GUIDs, the
 *   struct's array for snapshots); null (or an empty array) passes NULL,
 *   which the library refuses, so Java expresses every C call.
 * - Handles are longs (0 is NULL), released by the caller as in C.
 * - Strings are converted to and from UTF-8 in Java (org.openbits.Utf8:
 *   JNI's own "modified UTF-8" is not UTF-8); a string holding U+0000 or
 *   a lone surrogate is refused with BITS_E_INVALIDARG before the call,
 *   as the other languages refuse a NUL.
 * - Events: Native.openbits_set_job_callback(job, NativeEventCallback)
 *   and openbits_set_manager_callback. The JVM may be entered from any
 *   thread, so callbacks run on the library's notification thread,
 *   attached to the JVM as the daemon thread "openbits-events" (and
 *   detached when it ends); for a manager opened with
 *   BITS_MANAGER_OPEN_EVENT_FD they run inside bits_manager_dispatch /
 *   openbits_wait_events on the calling thread instead.
 */
%module Native

%{
#include <openbits/openbits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>

static JavaVM *openbits_jvm;

JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM *vm, void *reserved)
{
    (void)reserved;
    openbits_jvm = vm;
    return JNI_VERSION_1_8;
}

/* Throws the BitsException for @p hr (org.openbits.BitsException.of),
 * unless an exception is pending already. */
static void openbits_java_throw(JNIEnv *jenv, int32_t hr)
{
    if ((*jenv)->ExceptionCheck(jenv))
        return;
    jclass cls = (*jenv)->FindClass(jenv, "org/openbits/BitsException");
    if (!cls)
        return; /* NoClassDefFoundError is pending */
    jmethodID of = (*jenv)->GetStaticMethodID(jenv, cls, "of", "(J)Lorg/openbits/BitsException;");
    if (!of)
        return;
    jobject exc = (*jenv)->CallStaticObjectMethod(jenv, cls, of, (jlong)(uint32_t)hr);
    if (exc && !(*jenv)->ExceptionCheck(jenv))
        (*jenv)->Throw(jenv, (jthrowable)exc);
}

/* A NUL-terminated copy of a byte[] of UTF-8 (Utf8.encode made it), or
 * NULL for null. *nul is set when it holds a zero byte. */
static char *openbits_java_bytes(JNIEnv *jenv, jbyteArray bytes, int *nul)
{
    *nul = 0;
    if (!bytes)
        return NULL;
    jsize n = (*jenv)->GetArrayLength(jenv, bytes);
    char *buf = (char *)malloc((size_t)n + 1);
    if (!buf)
        return NULL;
    (*jenv)->GetByteArrayRegion(jenv, bytes, 0, n, (jbyte *)buf);
    buf[n] = '\0';
    *nul = memchr(buf, '\0', (size_t)n) != NULL;
    return buf;
}

/* A new byte[] holding @p text (NULL for NULL). */
static jbyteArray openbits_java_new_bytes(JNIEnv *jenv, const char *text)
{
    if (!text)
        return NULL;
    jsize n = (jsize)strlen(text);
    jbyteArray b = (*jenv)->NewByteArray(jenv, n);
    if (b)
        (*jenv)->SetByteArrayRegion(jenv, b, 0, n, (const jbyte *)text);
    return b;
}

/* The out-array @p a has room for a value: null or empty passes NULL. */
static int openbits_java_has_room(JNIEnv *jenv, jarray a)
{
    return a && (*jenv)->GetArrayLength(jenv, a) > 0;
}
%}

/* The JNI class loads the library: -Dopenbits.jni=/path/libopenbits_jni.so,
 * else java.library.path (Debian's includes /usr/lib/<arch>/jni). */
%pragma(java) jniclasscode=%{
  static {
    String path = System.getProperty("openbits.jni");
    if (path != null && !path.isEmpty()) {
      System.load(path);
    } else {
      System.loadLibrary("openbits_jni");
    }
  }
%}
%pragma(java) moduleclassmodifiers="public final class"
%pragma(java) jniclassclassmodifiers="public final class"

/* ---- status codes ------------------------------------------------------- */

%typemap(jni) bits_hresult "jlong"
%typemap(jtype) bits_hresult "long"
%typemap(jstype) bits_hresult "long"
%typemap(javain) bits_hresult "$javainput"
%typemap(javaout) bits_hresult { return $jnicall; }
/* An argument: the unsigned number of the constants, or the signed one. */
%typemap(in) bits_hresult %{
    if ($input < INT32_MIN || $input > (jlong)UINT32_MAX) {
        SWIG_JavaThrowException(jenv, SWIG_JavaIllegalArgumentException, "not a 32-bit code");
        return $null;
    }
    $1 = $input < 0 ? (bits_hresult)$input : (bits_hresult)(uint32_t)$input;
%}
/* A return: the unsigned number; a failure throws, after the out-values
 * and arguments were dealt with (ret comes last). */
%typemap(out) bits_hresult %{ $result = (jlong)(uint32_t)$1; %}
%typemap(ret) bits_hresult %{
    if ($1 < 0)
        openbits_java_throw(jenv, $1);
%}

/* ---- numbers ------------------------------------------------------------- */

/* uint64_t: a long holding the 64 bits (Long.toUnsignedString reads it). */
%typemap(jni) uint64_t "jlong"
%typemap(jtype) uint64_t "long"
%typemap(jstype) uint64_t "long"
%typemap(javain) uint64_t "$javainput"
%typemap(javaout) uint64_t { return $jnicall; }
%typemap(in) uint64_t %{ $1 = (uint64_t)$input; %}
%typemap(out) uint64_t %{ $result = (jlong)$1; %}

/* Out-values: ARRAY[0] receives the value (CAST converts it). */
%define OPENBITS_JAVA_OUT(CTYPE, JNIARRAY, JARRAY, JELEM, SETTER, CAST)
%typemap(jni) CTYPE * #JNIARRAY
%typemap(jtype) CTYPE * #JARRAY
%typemap(jstype) CTYPE * #JARRAY
%typemap(javain) CTYPE * "$javainput"
%typemap(in) CTYPE * (CTYPE temp = 0) %{
    $1 = openbits_java_has_room(jenv, $input) ? &temp : NULL;
%}
%typemap(argout) CTYPE * %{
    if ($1) {
        JELEM v = CAST temp$argnum;
        (*jenv)->SETTER(jenv, $input, 0, 1, &v);
    }
%}
%enddef
OPENBITS_JAVA_OUT(uint32_t, jlongArray, long[], jlong, SetLongArrayRegion, (jlong))
OPENBITS_JAVA_OUT(uint64_t, jlongArray, long[], jlong, SetLongArrayRegion, (jlong))
OPENBITS_JAVA_OUT(int32_t, jintArray, int[], jint, SetIntArrayRegion, (jint))
/* A code: the unsigned number, as the constants. */
OPENBITS_JAVA_OUT(bits_hresult, jlongArray, long[], jlong, SetLongArrayRegion, (jlong)(uint32_t))

/* ---- handles: longs -------------------------------------------------------- */

%define OPENBITS_JAVA_HANDLE(TYPE)
%typemap(jni) TYPE * "jlong"
%typemap(jtype) TYPE * "long"
%typemap(jstype) TYPE * "long"
%typemap(javain) TYPE * "$javainput"
%typemap(javaout) TYPE * { return $jnicall; }
%typemap(in) TYPE * %{ $1 = (TYPE *)(intptr_t)$input; %}
%typemap(out) TYPE * %{ $result = (jlong)(intptr_t)$1; %}
%typemap(jni) TYPE ** "jlongArray"
%typemap(jtype) TYPE ** "long[]"
%typemap(jstype) TYPE ** "long[]"
%typemap(javain) TYPE ** "$javainput"
%typemap(in) TYPE ** (TYPE *temp = NULL) %{
    $1 = openbits_java_has_room(jenv, $input) ? &temp : NULL;
%}
%typemap(argout) TYPE ** %{
    if ($1) {
        jlong v = (jlong)(intptr_t)temp$argnum;
        (*jenv)->SetLongArrayRegion(jenv, $input, 0, 1, &v);
    }
%}
%enddef
OPENBITS_JAVA_HANDLE(bits_manager)
OPENBITS_JAVA_HANDLE(bits_job)
OPENBITS_JAVA_HANDLE(bits_file)
OPENBITS_JAVA_HANDLE(bits_job_enum)
OPENBITS_JAVA_HANDLE(bits_file_enum)
OPENBITS_JAVA_HANDLE(bits_error)

/* ---- strings: UTF-8 made and read in Java ------------------------------------ */

%typemap(jni) const char * "jbyteArray"
%typemap(jtype) const char * "byte[]"
%typemap(jstype) const char * "String"
%typemap(javain) const char * "org.openbits.Utf8.encode($javainput)"
%typemap(javaout) const char * { return org.openbits.Utf8.decode($jnicall); }
/* Utf8.encode refused a NUL already; a byte[] passed to NativeJNI
 * directly is checked again (C would see it cut). */
%typemap(in) const char * (int nul = 0) %{
    $1 = openbits_java_bytes(jenv, $input, &nul);
    if ($input && !$1) {
        SWIG_JavaThrowException(jenv, SWIG_JavaOutOfMemoryError, "a string");
        return $null;
    }
    if (nul) {
        free($1);
        openbits_java_throw(jenv, BITS_E_INVALIDARG);
        return $null;
    }
%}
%typemap(freearg) const char * %{ free($1); %}
%typemap(out) const char * %{ $result = openbits_java_new_bytes(jenv, $1); %}

%typemap(jni) char ** "jobjectArray"
%typemap(jtype) char ** "byte[][]"
%typemap(jstype) char ** "String[]"
%typemap(javain, pre="    byte[][] temp$javainput = $javainput == null || $javainput.length == 0 ? null : new byte[1][];",
         post="      if (temp$javainput != null) $javainput[0] = org.openbits.Utf8.decode(temp$javainput[0]);") char ** "temp$javainput"
%typemap(in) char ** (char *temp = NULL) %{
    $1 = openbits_java_has_room(jenv, $input) ? &temp : NULL;
%}
%typemap(argout) char ** %{
    if ($1 && temp$argnum) {
        jbyteArray b = openbits_java_new_bytes(jenv, temp$argnum);
        if (b) {
            (*jenv)->SetObjectArrayElement(jenv, $input, 0, b);
            (*jenv)->DeleteLocalRef(jenv, b);
        }
    }
    bits_free(temp$argnum);
%}

/* ---- GUIDs as text ------------------------------------------------------------- */

%typemap(jni) const bits_guid *id "jbyteArray"
%typemap(jtype) const bits_guid *id "byte[]"
%typemap(jstype) const bits_guid *id "String"
%typemap(javain) const bits_guid *id "org.openbits.Utf8.encode($javainput)"
/* null is a NULL GUID, the library's to refuse. */
%typemap(in) const bits_guid *id (bits_guid temp) %{
    $1 = NULL;
    if ($input) {
        int nul = 0;
        char *text = openbits_java_bytes(jenv, $input, &nul);
        int ok = text && !nul && bits_guid_from_string(text, &temp) == BITS_S_OK;
        free(text);
        if (nul) {
            openbits_java_throw(jenv, BITS_E_INVALIDARG);
            return $null;
        }
        if (!ok) {
            SWIG_JavaThrowException(jenv, SWIG_JavaIllegalArgumentException, "a GUID string is expected");
            return $null;
        }
        $1 = &temp;
    }
%}

%typemap(jni) bits_guid *out_id "jobjectArray"
%typemap(jtype) bits_guid *out_id "byte[][]"
%typemap(jstype) bits_guid *out_id "String[]"
%typemap(javain, pre="    byte[][] temp$javainput = $javainput == null || $javainput.length == 0 ? null : new byte[1][];",
         post="      if (temp$javainput != null) $javainput[0] = org.openbits.Utf8.decode(temp$javainput[0]);") bits_guid *out_id "temp$javainput"
%typemap(in) bits_guid *out_id (bits_guid temp) %{
    memset(&temp, 0, sizeof temp);
    $1 = openbits_java_has_room(jenv, $input) ? &temp : NULL;
%}
%typemap(argout) bits_guid *out_id %{
    if ($1 && result >= 0) {
        char *text = NULL;
        bits_guid_to_string($1, &text);
        jbyteArray b = openbits_java_new_bytes(jenv, text);
        bits_free(text);
        if (b) {
            (*jenv)->SetObjectArrayElement(jenv, $input, 0, b);
            (*jenv)->DeleteLocalRef(jenv, b);
        }
    }
%}

/* ---- struct_size snapshots: a new owned struct in ARRAY[0] ---------------------- */

%define OPENBITS_JAVA_SNAPSHOT(TYPE, NAME)
%typemap(jni) TYPE *NAME "jlongArray"
%typemap(jtype) TYPE *NAME "long[]"
%typemap(jstype) TYPE *NAME "TYPE[]"
%typemap(javain, pre="    long[] temp$javainput = $javainput == null || $javainput.length == 0 ? null : new long[1];",
         post="      if (temp$javainput != null && temp$javainput[0] != 0) $javainput[0] = new TYPE(temp$javainput[0], true);") TYPE *NAME "temp$javainput"
%typemap(in) TYPE *NAME (TYPE temp) %{
    memset(&temp, 0, sizeof temp);
    temp.struct_size = (uint32_t)sizeof temp;
    $1 = openbits_java_has_room(jenv, $input) ? &temp : NULL;
%}
%typemap(argout) TYPE *NAME %{
    if ($1 && result >= 0) {
        TYPE *copy = (TYPE *)malloc(sizeof(TYPE));
        if (copy) {
            *copy = temp$argnum;
            jlong p = (jlong)(intptr_t)copy;
            (*jenv)->SetLongArrayRegion(jenv, $input, 0, 1, &p);
        }
    }
%}
%enddef
OPENBITS_JAVA_SNAPSHOT(bits_job_progress, out_progress)
OPENBITS_JAVA_SNAPSHOT(bits_file_progress, out_progress)
OPENBITS_JAVA_SNAPSHOT(bits_job_times, out_times)

/* ---- bits_job_add_file_set: String[][] of {url, path} pairs ----------------------- */

%typemap(jni) (uint32_t count, const bits_file_info *files) "jobjectArray"
%typemap(jtype) (uint32_t count, const bits_file_info *files) "byte[][]"
%typemap(jstype) (uint32_t count, const bits_file_info *files) "String[][]"
%typemap(javain) (uint32_t count, const bits_file_info *files) "org.openbits.Utf8.encodePairs($javainput)"
/* The byte[][] holds remote, local, remote, local...; null is NULL. */
%typemap(in) (uint32_t count, const bits_file_info *files) (char **texts = NULL, jsize n = 0) %{
    $1 = 0;
    $2 = NULL;
    if ($input) {
        n = (*jenv)->GetArrayLength(jenv, $input);
        texts = (char **)calloc((size_t)n + 1, sizeof *texts);
        $2 = (bits_file_info *)calloc((size_t)n / 2 + 1, sizeof(bits_file_info));
        int bad = !texts || !$2;
        for (jsize i = 0; !bad && i < n; i++) {
            int nul = 0;
            jbyteArray b = (jbyteArray)(*jenv)->GetObjectArrayElement(jenv, $input, i);
            texts[i] = openbits_java_bytes(jenv, b, &nul);
            bad = nul ? 2 : !texts[i] && b;
            if (b)
                (*jenv)->DeleteLocalRef(jenv, b);
        }
        for (jsize i = 0; !bad && i + 1 < n; i += 2) {
            ((bits_file_info *)$2)[i / 2].remote_name = texts[i];
            ((bits_file_info *)$2)[i / 2].local_name = texts[i + 1];
        }
        $1 = (uint32_t)(n / 2);
        if (bad) {
            for (jsize i = 0; texts && i < n; i++)
                free(texts[i]);
            free(texts);
            free((void *)$2);
            if (bad == 2)
                openbits_java_throw(jenv, BITS_E_INVALIDARG);
            else
                SWIG_JavaThrowException(jenv, SWIG_JavaOutOfMemoryError, "file set");
            return $null;
        }
    }
%}
%typemap(freearg) (uint32_t count, const bits_file_info *files) %{
    for (jsize i = 0; texts$argnum && i < n$argnum; i++)
        free(texts$argnum[i]);
    free(texts$argnum);
    free((void *)$2);
%}

/* ---- what Java does not wrap ---------------------------------------------------- */

/* The event as a struct (its error_code getter would throw for a
 * failure code): callbacks get its fields as arguments. bits_guid is
 * only ever text. */
%ignore bits_event;
%ignore bits_guid;
/* A string constant is its literal (the JNI getter would give bytes). */
%javaconst(1) OPENBITS_VERSION_STRING;

/* bits_manager_close delivers what is still queued (fd mode) and waits
 * for a running callback: afterwards the manager's callback can no
 * longer run, so the binding releases it. */
%exception bits_manager_close {
    $action
    openbits_cb_forget_manager(arg1);
}

%include "openbits.i"
%include "openbits_events.i"

/* ---- event callbacks -------------------------------------------------------------- */

%{
static pthread_key_t openbits_java_key;
static pthread_once_t openbits_java_key_once = PTHREAD_ONCE_INIT;
static jmethodID openbits_java_on_event;

/* A thread the binding attached leaves the JVM when it ends. */
static void openbits_java_detach(void *vm)
{
    (*(JavaVM *)vm)->DetachCurrentThread((JavaVM *)vm);
}

static void openbits_java_make_key(void)
{
    pthread_key_create(&openbits_java_key, openbits_java_detach);
}

/* The JNIEnv of this thread, attaching it (as the daemon thread
 * "openbits-events") when it is the library's notification thread. */
static JNIEnv *openbits_java_env(void)
{
    JNIEnv *env = NULL;
    if (!openbits_jvm)
        return NULL;
    if ((*openbits_jvm)->GetEnv(openbits_jvm, (void **)&env, JNI_VERSION_1_8) == JNI_OK)
        return env;
    JavaVMAttachArgs args;
    args.version = JNI_VERSION_1_8;
    args.name = (char *)"openbits-events";
    args.group = NULL;
    if ((*openbits_jvm)->AttachCurrentThreadAsDaemon(openbits_jvm, (void **)&env, &args) != JNI_OK)
        return NULL;
    pthread_once(&openbits_java_key_once, openbits_java_make_key);
    pthread_setspecific(openbits_java_key, openbits_jvm);
    return env;
}

/* Releases a callable the registry held (a global reference). */
static void openbits_java_drop(void *callable)
{
    JNIEnv *env = openbits_java_env();
    if (env)
        (*env)->DeleteGlobalRef(env, (jobject)callable);
}

/* The library's callback: calls onEvent(kind, state, errorCode, job,
 * file) of the NativeEventCallback. An exception it throws is printed
 * and cleared (org.openbits hands its listeners' exceptions to the
 * thread's uncaught-exception handler before that). */
static void openbits_java_trampoline(const bits_event *ev, void *user_data)
{
    openbits_cb_reg *reg = (openbits_cb_reg *)user_data;
    JNIEnv *env = openbits_java_env();
    if (!env) {
        openbits_cb_count_dropped();
        return;
    }
    if ((*env)->PushLocalFrame(env, 16) != 0) {
        (*env)->ExceptionClear(env);
        openbits_cb_count_dropped();
        return;
    }
    (*env)->CallVoidMethod(env, (jobject)reg->callable, openbits_java_on_event, (jlong)ev->kind,
                           (jlong)ev->state, (jlong)(uint32_t)ev->error_code,
                           (jlong)(intptr_t)ev->job, (jlong)(intptr_t)ev->file);
    if ((*env)->ExceptionCheck(env)) {
        (*env)->ExceptionDescribe(env);
        (*env)->ExceptionClear(env);
    }
    (*env)->PopLocalFrame(env, NULL);
}

/* Registers @p callable (null: removes) for @p owner. */
static bits_hresult openbits_java_register(JNIEnv *jenv, void *owner, int is_manager, jobject callable)
{
    openbits_cb_reg *reg = NULL;
    if (!openbits_java_on_event) {
        jclass cls = (*jenv)->FindClass(jenv, "org/openbits/swig/NativeEventCallback");
        if (!cls)
            return BITS_E_FAIL; /* NoClassDefFoundError is pending */
        openbits_java_on_event = (*jenv)->GetMethodID(jenv, cls, "onEvent", "(JJJJJ)V");
        if (!openbits_java_on_event)
            return BITS_E_FAIL;
    }
    if (callable) {
        jobject held = (*jenv)->NewGlobalRef(jenv, callable);
        if (!held)
            return BITS_E_OUTOFMEMORY;
        reg = openbits_cb_new(held, openbits_java_drop, NULL);
        if (!reg) {
            (*jenv)->DeleteGlobalRef(jenv, held);
            return BITS_E_OUTOFMEMORY;
        }
    }
    return openbits_cb_register(owner, is_manager, reg, openbits_java_trampoline);
}
%}

%typemap(jni) jobject callable "jobject"
%typemap(jtype) jobject callable "org.openbits.swig.NativeEventCallback"
%typemap(jstype) jobject callable "org.openbits.swig.NativeEventCallback"
%typemap(javain) jobject callable "$javainput"
%typemap(in) jobject callable %{ $1 = $input; %}
%typemap(in, numinputs=0) JNIEnv *jenv_ %{ $1 = jenv; %}

%inline %{
/* Registers @p callable (or null) for the job's events:
 * callable.onEvent(kind, state, errorCode, job, file) on the library's
 * notification thread (attached to the JVM), or inside dispatch for an
 * fd-mode manager. Replacing or removing waits for a running call. */
bits_hresult openbits_set_job_callback(JNIEnv *jenv_, bits_job *job, jobject callable) {
    return openbits_java_register(jenv_, job, 0, callable);
}
/* The same for every job of the manager. */
bits_hresult openbits_set_manager_callback(JNIEnv *jenv_, bits_manager *manager, jobject callable) {
    return openbits_java_register(jenv_, manager, 1, callable);
}
%}
