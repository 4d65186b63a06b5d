/* gis-compose-i18n-private.h: text of an export in its own language
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "gis-composition.h"

G_BEGIN_DECLS

const char *gis_compose_tr    (GisLanguage  language,
                               const char  *msgid) G_GNUC_FORMAT (2);
const char *gis_compose_tr_c  (GisLanguage  language,
                               const char  *context,
                               const char  *msgid);
char       *gis_compose_format_date (GisLanguage  language,
                                     GDateTime   *date);
char       *gis_compose_format_int  (GisLanguage  language,
                                     gint64       value);

G_END_DECLS
