#include "core/lang.h"

#include <string.h>

/* The code table of ISO 639-1 as maintained by the Library of Congress,
 * two letters per code, sorted, so a code is found by binary search. */
static const char codes[] =
	"aaabaeafakamanarasavayazbabebgbibmbnbobrbscacechcocrcscucvcydadedvdz"
	"eeeleneoeseteufafffifjfofrfygagdglgngugvhahehihohrhthuhyhziaidieigii"
	"ikioisitiujajvkakgkikjkkklkmknkokrkskukvkwkylalblglilnloltlulvmgmhmi"
	"mkmlmnmrmsmtmynanbndnengnlnnnonrnvnyocojomorospapiplpsptqurmrnrorurw"
	"sascsdsesgsiskslsmsnsosqsrssstsusvswtatetgthtitktltntotrtstttwtyugukur"
	"uzvevivowawoxhyiyozazhzu";

bool lang_is_iso639_1(const char *s)
{
	size_t lo = 0, hi = (sizeof(codes) - 1) / 2;

	if (!s || strlen(s) != 2 || s[0] < 'a' || s[0] > 'z' || s[1] < 'a' || s[1] > 'z')
		return false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = memcmp(s, codes + 2 * mid, 2);
		if (c == 0)
			return true;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return false;
}
