/* atalaya-format.h: numbers as the user writes them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

char *atalaya_format_user (const char *format,
                           ...) G_GNUC_PRINTF (1, 2);

G_END_DECLS
