#include "hub/store/revision_facts.hpp"

#include <sstream>

namespace ijro::store::detail {

namespace {

std::string dateOrDash(const std::optional<model::Date>& d) {
  return d ? model::formatDate(*d) : std::string("-");
}

bool readDate(const std::string& word, std::optional<model::Date>& out) {
  if (word == "-") {
    out.reset();
    return true;
  }
  out = model::parseDate(word);
  return out.has_value();
}

bool readDate(const std::string& word, model::Date& out) {
  auto d = model::parseDate(word);
  if (d) out = *d;
  return d.has_value();
}

}  // namespace

std::string encodeFacts(const model::Implementation& x) {
  std::string out = "sector " + x.sector + "\n";
  out += std::string("lifecycle ") + model::toString(x.lifecycle) + "\n";
  out += "start " + model::formatDate(x.start) + "\n";
  out += "deadline " + model::formatDate(x.deadline) + "\n";
  out += "completed " + dateOrDash(x.completed) + "\n";
  for (const auto& c : x.deadlineChanges)
    out += "change " + model::formatDate(c.previous) + " " + model::formatDate(c.deadline) + " " +
           model::toString(c.decision) + " " + dateOrDash(c.decidedOn) + "\n";
  for (const auto& e : x.controlEvents)
    out += std::string("event ") + model::toString(e.state) + " " + model::formatDate(e.on) + " " +
           dateOrDash(e.completed) + "\n";
  return out;
}

bool decodeFacts(const std::string& text, model::Implementation& into) {
  into.deadlineChanges.clear();
  into.controlEvents.clear();
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    const auto space = line.find(' ');
    if (space == std::string::npos) return false;
    const std::string name = line.substr(0, space), rest = line.substr(space + 1);
    std::istringstream words(rest);
    if (name == "sector") {
      into.sector = rest;
    } else if (name == "lifecycle") {
      auto l = model::lifecycleFromString(rest);
      if (!l) return false;
      into.lifecycle = *l;
    } else if (name == "start") {
      if (!readDate(rest, into.start)) return false;
    } else if (name == "deadline") {
      if (!readDate(rest, into.deadline)) return false;
    } else if (name == "completed") {
      if (!readDate(rest, into.completed)) return false;
    } else if (name == "change") {
      std::string previous, deadline, decision, on;
      if (!(words >> previous >> deadline >> decision >> on)) return false;
      model::DeadlineChange c;
      auto d = model::decisionFromString(decision);
      if (!d || !readDate(previous, c.previous) || !readDate(deadline, c.deadline) ||
          !readDate(on, c.decidedOn))
        return false;
      c.decision = *d;
      into.deadlineChanges.push_back(std::move(c));
    } else if (name == "event") {
      std::string state, on, completed;
      if (!(words >> state >> on >> completed)) return false;
      model::ControlEvent e;
      auto s = model::controlStatusFromString(state);
      if (!s || !readDate(on, e.on) || !readDate(completed, e.completed)) return false;
      e.state = *s;
      into.controlEvents.push_back(std::move(e));
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace ijro::store::detail
