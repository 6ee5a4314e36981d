# The test desk's people, project and rights, loaded with `rails runner` by
# tests/support/redmine_desk.py into a freshly migrated Redmine 5 with its default data.
# Prints one JSON line: the API keys, the ids the tests need.
require 'json'

Setting.rest_api_enabled = '1'
# As Redmine ships: anonymous users may read public projects, so a wrong key on a list
# is an empty 200, not a 401 (a trap the adapter must handle: docs/redmine.md).
Setting.login_required = '0'

tracker = Tracker.find_by!(name: 'Support')
project = Project.create!(
  name: 'IT Helpdesk', identifier: 'it-helpdesk', is_public: false,
  tracker_ids: [tracker.id], enabled_module_names: %w[issue_tracking]
)
key_field = IssueCustomField.create!(
  name: 'Report key', field_format: 'string', is_filter: true, is_for_all: false,
  visible: true, tracker_ids: [tracker.id], project_ids: [project.id]
)

employee = Role.create!(
  name: 'Employee', issues_visibility: 'own', assignable: false,
  permissions: %i[view_issues add_issues add_issue_notes edit_own_issues]
)
agent = Role.create!(
  name: 'Agent', issues_visibility: 'all', assignable: true,
  permissions: %i[view_issues add_issues edit_issues add_issue_notes view_private_notes
                  set_notes_private view_private_notes]
)

statuses = IssueStatus.all.index_by(&:name)
# The agent moves a ticket anywhere; the employee only confirms (Resolved -> Closed) and
# reopens (Resolved or Closed -> New).
statuses.each_value do |from|
  statuses.each_value do |to|
    next if from == to
    WorkflowTransition.create!(role_id: agent.id, tracker_id: tracker.id,
                               old_status_id: from.id, new_status_id: to.id)
  end
end
[%w[Resolved Closed], %w[Resolved New], %w[Closed New]].each do |from, to|
  WorkflowTransition.create!(role_id: employee.id, tracker_id: tracker.id,
                             old_status_id: statuses.fetch(from).id,
                             new_status_id: statuses.fetch(to).id)
end

def person(login, first, last, password)
  user = User.new(firstname: first, lastname: last, mail: "#{login}@helpdesk.test",
                  language: 'en')
  user.login = login
  user.password = user.password_confirmation = password
  user.status = User::STATUS_ACTIVE
  user.save!
  user
end

password = ENV.fetch('REDMINE_TEST_PASSWORD')
people = {
  'anna' => [person('anna', 'Anna', 'Jansen', password), employee],
  'bram' => [person('bram', 'Bram', 'de Vries', password), employee],
  'joost' => [person('joost', 'Joost', 'Bakker', password), agent],
}
people.each_value do |user, role|
  Member.create!(user: user, project: project, role_ids: [role.id])
end

puts JSON.generate(
  'keys' => people.transform_values { |user, _| user.api_key },
  'project' => project.identifier,
  'project_id' => project.id,
  'tracker_id' => tracker.id,
  'key_field_id' => key_field.id,
  'statuses' => statuses.transform_values(&:id),
  'priorities' => IssuePriority.all.map { |p| [p.name, p.id] }.to_h
)
