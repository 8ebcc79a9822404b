/*
 * A security label provider named "dummy", for the acceptance tests of
 * postgresql_security_label (tests/acceptance/security_label.rs).
 *
 * It behaves like PostgreSQL's own test module of the same name, which the
 * reference provider's tests load: the labels "unclassified" and
 * "classified" are accepted from anyone, "secret" and "top secret" only from
 * a superuser, and anything else is refused. Removing a label (IS NULL) is
 * always accepted. It protects nothing; it only lets SECURITY LABEL run on a
 * server without SELinux.
 *
 * Loaded with shared_preload_libraries; scripts/install-tools.sh
 * dummy-seclabel builds it.
 */
#include "postgres.h"

#include "commands/seclabel.h"
#include "fmgr.h"
#include "miscadmin.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

static bool
label_is(const char *label, const char *const *labels, int n)
{
	for (int i = 0; i < n; i++)
	{
		if (strcmp(label, labels[i]) == 0)
			return true;
	}
	return false;
}

static void
check_label(const ObjectAddress *object, const char *label)
{
	static const char *const anyone[] = {"unclassified", "classified"};
	static const char *const superuser_only[] = {"secret", "top secret"};

	if (label == NULL || label_is(label, anyone, lengthof(anyone)))
		return;
	if (label_is(label, superuser_only, lengthof(superuser_only)))
	{
		if (!superuser())
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("only superuser can set '%s' label", label)));
		return;
	}
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_NAME),
			 errmsg("'%s' is not a valid security label", label)));
}

void
_PG_init(void)
{
	register_label_provider("dummy", check_label);
}
