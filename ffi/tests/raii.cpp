// The C ABI from C++17 through a small RAII wrapper, linked against the static
// library: handles and strings are freed by unique_ptr, errors become
// exceptions carrying the status and sendlint_last_error().
#include <cstdint>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "sendlint.h"

namespace sendlint {

struct Error : std::runtime_error {
    sendlint_status status;
    Error(sendlint_status status, const char *message)
        : std::runtime_error(message), status(status) {}
};

inline void check(sendlint_status status) {
    if (status != SENDLINT_OK) {
        throw Error(status, sendlint_last_error());
    }
}

template <typename T, void (*Free)(T *)>
struct Deleter {
    void operator()(T *handle) const { Free(handle); }
};

using StringPtr = std::unique_ptr<char, Deleter<char, sendlint_string_free>>;

class Topic {
  public:
    explicit Topic(const std::vector<std::string> &texts) {
        std::vector<const char *> pointers;
        std::vector<size_t> lens;
        for (const auto &text : texts) {
            pointers.push_back(text.data());
            lens.push_back(text.size());
        }
        sendlint_topic *raw = nullptr;
        check(sendlint_topic_from_texts(pointers.data(), lens.data(), texts.size(), &raw));
        topic_.reset(raw);
    }
    const sendlint_topic *get() const { return topic_.get(); }

  private:
    std::unique_ptr<sendlint_topic, Deleter<sendlint_topic, sendlint_topic_free>> topic_;
};

class History {
  public:
    explicit History(std::string_view key) {
        sendlint_history *raw = nullptr;
        check(sendlint_history_new_with_key(reinterpret_cast<const uint8_t *>(key.data()),
                                            key.size(), &raw));
        history_.reset(raw);
    }
    sendlint_history *get() const { return history_.get(); }
    size_t size() const { return sendlint_history_len(history_.get()); }

  private:
    std::unique_ptr<sendlint_history, Deleter<sendlint_history, sendlint_history_free>> history_;
};

class Engine {
  public:
    Engine() : Engine(nullptr, 0) {}
    explicit Engine(std::string_view policy) : Engine(policy.data(), policy.size()) {}

    sendlint_summary check_text(std::string_view text) const {
        sendlint_summary summary;
        sendlint::check(sendlint_check_text(engine_.get(), text.data(), text.size(), &summary));
        return summary;
    }

    std::string check(std::string_view message_json, const History *history = nullptr,
                      const Topic *topic = nullptr) const {
        char *raw = nullptr;
        sendlint::check(sendlint_check_with_topic(
            engine_.get(), history ? history->get() : nullptr, topic ? topic->get() : nullptr,
            message_json.data(), message_json.size(), &raw));
        return StringPtr(raw).get();
    }

    void record(History &history, std::string_view message_json) const {
        sendlint::check(sendlint_engine_record(engine_.get(), history.get(), message_json.data(),
                                               message_json.size()));
    }

  private:
    Engine(const char *policy, size_t len) {
        sendlint_engine *raw = nullptr;
        sendlint::check(sendlint_engine_new(policy, len, &raw));
        engine_.reset(raw);
    }
    std::unique_ptr<sendlint_engine, Deleter<sendlint_engine, sendlint_engine_free>> engine_;
};

}  // namespace sendlint

static int passed = 0, failed = 0;
#define CHECK(cond)                                                                    \
    do {                                                                               \
        if (cond) {                                                                    \
            passed++;                                                                  \
        } else {                                                                       \
            failed++;                                                                  \
            std::fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                              \
    } while (0)

static bool contains(const std::string &haystack, const char *needle) {
    return haystack.find(needle) != std::string::npos;
}

int main() {
    const sendlint::Engine engine;
    auto summary = engine.check_text("@all Jetzt kostenlos erhalten: https://bit.ly/3xYz");
    CHECK(summary.verdict == SENDLINT_VERDICT_BLOCK);
    CHECK((summary.rules & SENDLINT_RULE_MASS_MENTION) != 0);

    // History across calls through the wrapper.
    sendlint::History history("0123456789abcdef-cpp-wrapper");
    const std::string first =
        R"({"text": "Anzeige: 20 % Rabatt auf alle Torten, nur diese Woche!", "account": "baeckerei", "at": "2026-11-02T09:00:00Z"})";
    const std::string again =
        R"({"text": "Anzeige: 20 % Rabatt auf alle Torten, nur diese Woche!", "account": "baeckerei", "at": "2026-11-02T15:00:00Z"})";
    CHECK(!contains(engine.check(again, &history), "near_duplicate"));
    engine.record(history, first);
    CHECK(history.size() == 1);
    CHECK(contains(engine.check(again, &history), "\"rule\":\"near_duplicate\""));

    // A topic for off_topic.
    const sendlint::Topic topic({"Wer kennt einen guten Kinderarzt in Kreuzberg?",
                                 "Suche gebrauchte Babykleidung", "Tipps gegen Koliken beim Baby?"});
    CHECK(contains(engine.check(R"({"text": "Neuer Lippenstift im Angebot, jetzt bestellen", "group": "eltern"})",
                                nullptr, &topic),
                   "\"rule\":\"off_topic\""));

    // Errors are exceptions with the status and the words.
    try {
        sendlint::Engine bad("schema_version = 1\n[verdict]\nblock = \"hoch\"\n");
        CHECK(false);
    } catch (const sendlint::Error &err) {
        CHECK(err.status == SENDLINT_INVALID_POLICY);
        CHECK(contains(err.what(), "line 3"));
    }
    try {
        engine.check(R"({"text": "Hallo", "recipients": "all"})");
        CHECK(false);
    } catch (const sendlint::Error &err) {
        CHECK(err.status == SENDLINT_INVALID_JSON);
        CHECK(contains(err.what(), "recipients"));
    }
    try {
        engine.check_text(std::string_view("Gratis \xff", 8));
        CHECK(false);
    } catch (const sendlint::Error &err) {
        CHECK(err.status == SENDLINT_INVALID_UTF8);
    }

    // The const engine shared by std::threads.
    std::vector<std::thread> threads;
    std::vector<int> blocks(4, 0);
    for (size_t t = 0; t < blocks.size(); t++) {
        threads.emplace_back([&engine, &blocks, t] {
            for (int i = 0; i < 50; i++) {
                blocks[t] += engine.check_text("Claim your FREE gift now! @all").verdict ==
                             SENDLINT_VERDICT_BLOCK;
            }
        });
    }
    for (auto &thread : threads) {
        thread.join();
    }
    for (int count : blocks) {
        CHECK(count == 50);
    }

    std::printf("raii: %d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
