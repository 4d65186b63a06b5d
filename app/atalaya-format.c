/* atalaya-format.c: numbers as the user writes them
 *
 * The process's LC_NUMERIC cannot be trusted for the window's numbers:
 * spatialite_init_ex() sets it to "C" whenever a store connects, and
 * another thread may be doing so right now.  The user's numeric locale is
 * made once from the environment and applied to this thread only, around
 * one printf.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>

#include "atalaya-format.h"

static locale_t
user_numeric_locale (void)
{
  static gsize initialized;
  static locale_t locale;

  if (g_once_init_enter (&initialized))
    {
      locale = newlocale (LC_NUMERIC_MASK, "", (locale_t) 0);
      g_once_init_leave (&initialized, 1);
    }
  return locale;
}

/**
 * atalaya_format_user:
 * @format: printf format; the ' flag groups digits as the user's locale does
 *
 * Returns: (transfer full): the text, with the user's decimal point and
 *   digit grouping
 */
char *
atalaya_format_user (const char *format,
                     ...)
{
  locale_t user = user_numeric_locale ();
  locale_t previous = (locale_t) 0;
  va_list args;
  char *text;

  if (user != (locale_t) 0)
    previous = uselocale (user);
  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  if (previous != (locale_t) 0)
    uselocale (previous);
  return text;
}
