#include "services/imap/search/search_result.h"

#include "gtest/gtest.h"
#include "services/imap/search/search_test_util.h"

namespace kurier::imap {
namespace {

TEST(SearchResultTest, NumberSet) {
  EXPECT_EQ(FormatNumberSet({}), "");
  EXPECT_EQ(FormatNumberSet({7}), "7");
  EXPECT_EQ(FormatNumberSet({1, 2, 3, 5}), "1:3,5");
  EXPECT_EQ(FormatNumberSet({1, 3, 5}), "1,3,5");
  EXPECT_EQ(FormatNumberSet({2, 10, 11}), "2,10:11");
  EXPECT_EQ(FormatNumberSet({1, 1, 2, 4, 4}), "1:2,4");
  EXPECT_EQ(FormatNumberSet({4294967294u, 4294967295u}), "4294967294:4294967295");
}

TEST(SearchResultTest, SearchResponse) {
  EXPECT_EQ(FormatSearchResponse({2, 84, 882}), "* SEARCH 2 84 882\r\n");
  EXPECT_EQ(FormatSearchResponse({}), "* SEARCH\r\n");
  EXPECT_EQ(FormatSearchResponse({2, 5, 6, 7, 11, 12, 18, 19, 20, 23}, 917162500),
            "* SEARCH 2 5 6 7 11 12 18 19 20 23 (MODSEQ 917162500)\r\n");
  EXPECT_EQ(FormatSearchResponse({}, 5), "* SEARCH\r\n");
}

TEST(SearchResultTest, EsearchResponse) {
  SearchReturn ret;
  ret.min = ret.max = ret.all = ret.count = true;
  EXPECT_EQ(FormatEsearchResponse("A1", true, ret, {1, 2, 3, 5, 9}),
            "* ESEARCH (TAG \"A1\") UID MIN 1 MAX 9 ALL 1:3,5,9 COUNT 5\r\n");
  EXPECT_EQ(FormatEsearchResponse("A1", false, ret, {1, 2, 3, 5}),
            "* ESEARCH (TAG \"A1\") MIN 1 MAX 5 ALL 1:3,5 COUNT 4\r\n");
  // Nothing matched: MIN, MAX and ALL are left out, COUNT 0 is sent.
  EXPECT_EQ(FormatEsearchResponse("A1", true, ret, {}), "* ESEARCH (TAG \"A1\") UID COUNT 0\r\n");
  // No option (RETURN ()): ALL.
  EXPECT_EQ(FormatEsearchResponse("t", false, SearchReturn(), {4, 5}), "* ESEARCH (TAG \"t\") ALL 4:5\r\n");
  EXPECT_EQ(FormatEsearchResponse("t", false, SearchReturn(), {}), "* ESEARCH (TAG \"t\")\r\n");
  SearchReturn count;
  count.count = true;
  EXPECT_EQ(FormatEsearchResponse("t", false, count, {4, 5}, 77), "* ESEARCH (TAG \"t\") COUNT 2 MODSEQ 77\r\n");
  // A tag with a quote cannot come from the codec, but is still written
  // safely.
  EXPECT_EQ(FormatEsearchResponse("a\"b", false, count, {}), "* ESEARCH (TAG \"a\\\"b\") COUNT 0\r\n");
}

TEST(SearchResultTest, ResultByQuery) {
  SearchQuery query;
  SearchError error;
  ASSERT_TRUE(testing::ParseSearchText("SEEN", &query, &error));
  EXPECT_EQ(FormatSearchResult(query, "A", false, false, {1, 2}), "* SEARCH 1 2\r\n");
  EXPECT_EQ(FormatSearchResult(query, "A", true, true, {1, 2}), "* ESEARCH (TAG \"A\") UID ALL 1:2\r\n");
  ASSERT_TRUE(testing::ParseSearchText("RETURN (COUNT) SEEN", &query, &error));
  EXPECT_EQ(FormatSearchResult(query, "A", false, false, {1, 2}), "* ESEARCH (TAG \"A\") COUNT 2\r\n");
  ASSERT_TRUE(testing::ParseSearchText("RETURN (SAVE) SEEN", &query, &error));
  EXPECT_EQ(FormatSearchResult(query, "A", false, true, {1, 2}), "");
  ASSERT_TRUE(testing::ParseSearchText("RETURN (SAVE MIN) SEEN", &query, &error));
  EXPECT_EQ(FormatSearchResult(query, "A", false, true, {1, 2}), "* ESEARCH (TAG \"A\") MIN 1\r\n");
}

TEST(SearchResultTest, SavedResult) {
  SearchReturn ret;
  ret.save = true;
  EXPECT_EQ(SavedSearchResult(ret, {3, 4, 9}), (std::vector<uint32_t>{3, 4, 9}));
  EXPECT_EQ(SavedSearchResult(ret, {}), std::vector<uint32_t>{});
  ret.min = true;
  EXPECT_EQ(SavedSearchResult(ret, {3, 4, 9}), (std::vector<uint32_t>{3}));
  ret.max = true;
  EXPECT_EQ(SavedSearchResult(ret, {3, 4, 9}), (std::vector<uint32_t>{3, 9}));
  EXPECT_EQ(SavedSearchResult(ret, {4}), (std::vector<uint32_t>{4}));
  ret.count = true;
  EXPECT_EQ(SavedSearchResult(ret, {3, 4, 9}), (std::vector<uint32_t>{3, 4, 9}));
}

}  // namespace
}  // namespace kurier::imap
