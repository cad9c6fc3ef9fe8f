/* The OpenBLAS kernel-trap decision (see blas.h) and single-threaded BLAS. */
#include <athlete/blas.h>

#include "test-util.h"

START_TEST(coretype_decision)
{
    /* Debian's 0.3.21 on the Xeon reports Prescott: re-run with AVX-512 kernels. */
    ck_assert_str_eq(athlete_blas_coretype_for("Prescott", true, true), "SkylakeX");
    ck_assert_str_eq(athlete_blas_coretype_for("Prescott", false, true), "Haswell");
    ck_assert_ptr_null(athlete_blas_coretype_for("Prescott", false, false));
    ck_assert_str_eq(athlete_blas_coretype_for("Sandybridge", true, true), "SkylakeX");
    /* Kernels OpenBLAS chose well are kept: the Zen 4 EPYC gets Cooperlake by itself. */
    ck_assert_ptr_null(athlete_blas_coretype_for("Cooperlake", true, true));
    ck_assert_ptr_null(athlete_blas_coretype_for("SkylakeX", true, true));
    ck_assert_ptr_null(athlete_blas_coretype_for("Haswell", true, true));
    ck_assert_ptr_null(athlete_blas_coretype_for("Zen", true, true));
    ck_assert_ptr_null(athlete_blas_coretype_for(NULL, true, true));
    /* The running process agrees with the function. */
    ck_assert_ptr_nonnull(athlete_blas_corename());
}
END_TEST

START_TEST(a_forced_slower_kernel_is_named)
{
    /* Haswell forced on an AVX-512 CPU: the user's choice, but half the sgemm speed. */
    ck_assert_str_eq(athlete_blas_forced_slower_for("Haswell", true, true), "SkylakeX");
    ck_assert_str_eq(athlete_blas_forced_slower_for("ZEN", true, true), "SkylakeX");
    ck_assert_str_eq(athlete_blas_forced_slower_for("Prescott", false, true), "Haswell");
    ck_assert_ptr_null(athlete_blas_forced_slower_for("Haswell", false, true));
    ck_assert_ptr_null(athlete_blas_forced_slower_for("SkylakeX", true, true));
    ck_assert_ptr_null(athlete_blas_forced_slower_for("Cooperlake", true, true));
    ck_assert_ptr_null(athlete_blas_forced_slower_for(NULL, true, true));
    ck_assert_ptr_null(athlete_blas_forced_slower_for("", true, true));
}
END_TEST

START_TEST(single_threaded_by_default)
{
    athlete_blas_use_default_threads();
    ck_assert_int_eq(athlete_blas_threads(), 1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("blas");
    TCase *tc = tcase_create("blas");
    tcase_add_test(tc, coretype_decision);
    tcase_add_test(tc, single_threaded_by_default);
    tcase_add_test(tc, a_forced_slower_kernel_is_named);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
