<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="zh_CN">
<context>
    <name>App</name>
    <message>
        <source>安责险风控服务管理系统</source>
        <translation>Construction Safety Risk-Control Service Manager</translation>
    </message>
    <message>
        <source>{message}

数据库：{where}</source>
        <translation>{message}

Database: {where}</translation>
    </message>
    <message>
        <source>无法打开数据库</source>
        <translation>Cannot open the database</translation>
    </message>
</context>
<context>
    <name>Columns</name>
    <message>
        <source>用户名</source>
        <translation>User name</translation>
    </message>
    <message>
        <source>姓名</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>角色</source>
        <translation>Role</translation>
    </message>
    <message>
        <source>职务/职称</source>
        <translation>Position/title</translation>
    </message>
    <message>
        <source>可用</source>
        <translation>Active</translation>
    </message>
    <message>
        <source>已锁定</source>
        <translation>Locked</translation>
    </message>
    <message>
        <source>是</source>
        <translation>Yes</translation>
    </message>
    <message>
        <source>否</source>
        <translation>No</translation>
    </message>
    <message>
        <source>编号</source>
        <translation>Number</translation>
    </message>
    <message>
        <source>等级</source>
        <translation>Level</translation>
    </message>
    <message>
        <source>发现日期</source>
        <translation>Found</translation>
    </message>
    <message>
        <source>项目</source>
        <translation>Project</translation>
    </message>
    <message>
        <source>部位</source>
        <translation>Location</translation>
    </message>
    <message>
        <source>隐患描述</source>
        <translation>Hazard</translation>
    </message>
    <message>
        <source>整改期限</source>
        <translation>Deadline</translation>
    </message>
    <message>
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>责任单位</source>
        <translation>Responsible unit</translation>
    </message>
</context>
<context>
    <name>Crash</name>
    <message>
        <source>程序错误</source>
        <translation>Program error</translation>
    </message>
    <message>
        <source>程序遇到了一个意外错误：{error}

已保存的数据不受影响，未保存的输入可能需要重新填写。详细信息已写入日志文件：
{log}

请将该文件发送给技术支持。</source>
        <translation>The program hit an unexpected error: {error}

Saved data is not affected; input that was not saved may have to be entered again. The details were written to the log file:
{log}

Please send this file to technical support.</translation>
    </message>
</context>
<context>
    <name>DashboardPage</name>
    <message>
        <source>本机构</source>
        <translation>Our agency</translation>
    </message>
    <message>
        <source>待办事项</source>
        <translation>To do</translation>
    </message>
    <message>
        <source>{name}（{role}），您好。今天是 {date}。</source>
        <translation>Hello, {name} ({role}). Today is {date}.</translation>
    </message>
    <message>
        <source>依据：{rule}</source>
        <translation>Rule: {rule}</translation>
    </message>
    <message>
        <source>尚未登记机构信息。</source>
        <translation>The agency&apos;s details have not been entered yet.</translation>
    </message>
    <message>
        <source>机构名称</source>
        <translation>Agency name</translation>
    </message>
    <message>
        <source>简称</source>
        <translation>Short name</translation>
    </message>
    <message>
        <source>统一社会信用代码</source>
        <translation>Unified social credit code</translation>
    </message>
    <message>
        <source>地址</source>
        <translation>Address</translation>
    </message>
    <message>
        <source>电话</source>
        <translation>Telephone</translation>
    </message>
</context>
<context>
    <name>Dialogs</name>
    <message>
        <source>数据错误</source>
        <translation>Data error</translation>
    </message>
    <message>
        <source>没有权限</source>
        <translation>Not permitted</translation>
    </message>
    <message>
        <source>记录已被他人修改</source>
        <translation>Changed by someone else</translation>
    </message>
    <message>
        <source>操作未完成</source>
        <translation>Not done</translation>
    </message>
    <message>
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>正在取消，请稍候…</source>
        <translation>Cancelling, please wait…</translation>
    </message>
</context>
<context>
    <name>FirstRun</name>
    <message>
        <source>请填写机构名称</source>
        <translation>Please enter the agency&apos;s name</translation>
    </message>
    <message>
        <source>统一社会信用代码应为 18 位且校验位正确</source>
        <translation>The unified social credit code must have 18 characters and a correct check character</translation>
    </message>
    <message>
        <source>请填写用户名</source>
        <translation>Please enter a user name</translation>
    </message>
    <message>
        <source>用户名不能包含空格</source>
        <translation>The user name cannot contain spaces</translation>
    </message>
    <message>
        <source>请填写管理员姓名</source>
        <translation>Please enter the administrator&apos;s name</translation>
    </message>
    <message>
        <source>两次输入的密码不一致</source>
        <translation>The two passwords do not match</translation>
    </message>
    <message>
        <source>请填写完整路径（绝对路径）</source>
        <translation>Please enter a full (absolute) path</translation>
    </message>
    <message>
        <source>该路径是一个文件，不是文件夹</source>
        <translation>This path is a file, not a folder</translation>
    </message>
    <message>
        <source>该文件夹无法创建</source>
        <translation>This folder cannot be created</translation>
    </message>
    <message>
        <source>首次使用设置 - {title}</source>
        <translation>First-time setup - {title}</translation>
    </message>
    <message>
        <source>机构信息</source>
        <translation>Agency details</translation>
    </message>
    <message>
        <source>这些信息会出现在文书的抬头和落款中，以后可以在设置中修改。</source>
        <translation>These details appear in the heading and signature block of documents; they can be changed later in Settings.</translation>
    </message>
    <message>
        <source>机构名称（必填）</source>
        <translation>Agency name (required)</translation>
    </message>
    <message>
        <source>简称</source>
        <translation>Short name</translation>
    </message>
    <message>
        <source>统一社会信用代码</source>
        <translation>Unified social credit code</translation>
    </message>
    <message>
        <source>地址</source>
        <translation>Address</translation>
    </message>
    <message>
        <source>电话</source>
        <translation>Telephone</translation>
    </message>
    <message>
        <source>系统管理员</source>
        <translation>System administrator</translation>
    </message>
    <message>
        <source>第一个账户是系统管理员，负责创建其他用户和修改系统设置。</source>
        <translation>The first account is the system administrator, who creates the other users and changes system settings.</translation>
    </message>
    <message>
        <source>用户名</source>
        <translation>User name</translation>
    </message>
    <message>
        <source>姓名</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>密码</source>
        <translation>Password</translation>
    </message>
    <message>
        <source>确认密码</source>
        <translation>Confirm password</translation>
    </message>
    <message>
        <source>密码至少 8 位，须同时包含字母和数字（或符号）。</source>
        <translation>At least 8 characters, with both letters and digits (or symbols).</translation>
    </message>
    <message>
        <source>数据存放位置</source>
        <translation>Where data is kept</translation>
    </message>
    <message>
        <source>数据库保存在数据目录中；附件和备份可以放在其他磁盘或共享文件夹。</source>
        <translation>The database is kept in the data folder; attachments and backups may be on another disk or a shared folder.</translation>
    </message>
    <message>
        <source>数据目录</source>
        <translation>Data folder</translation>
    </message>
    <message>
        <source>数据库</source>
        <translation>Database</translation>
    </message>
    <message>
        <source>附件库</source>
        <translation>Attachments</translation>
    </message>
    <message>
        <source>备份目录</source>
        <translation>Backup folder</translation>
    </message>
    <message>
        <source>留空则使用数据目录中的默认文件夹。更换数据目录请设置环境变量 RISKDESK_DATA_DIR 或使用命令行参数 --data-dir。</source>
        <translation>Leave empty to use the default folders inside the data folder. To use another data folder, set the RISKDESK_DATA_DIR environment variable or pass --data-dir on the command line.</translation>
    </message>
    <message>
        <source>浏览…</source>
        <translation>Browse…</translation>
    </message>
    <message>
        <source>选择文件夹</source>
        <translation>Choose a folder</translation>
    </message>
</context>
<context>
    <name>HazardsPage</name>
    <message>
        <source>（逾期）</source>
        <translation> (overdue)</translation>
    </message>
    <message>
        <source>搜索编号、部位、描述或分类</source>
        <translation>Search number, location, description or category</translation>
    </message>
    <message>
        <source>全部等级</source>
        <translation>All levels</translation>
    </message>
    <message>
        <source>只看未销项</source>
        <translation>Open only</translation>
    </message>
    <message>
        <source>只看逾期</source>
        <translation>Overdue only</translation>
    </message>
    <message>
        <source>共 {n} 条</source>
        <translation>{n} in total</translation>
    </message>
    <message>
        <source>已载入 {n} 条，向下滚动载入更多</source>
        <translation>{n} loaded; scroll down for more</translation>
    </message>
</context>
<context>
    <name>Labels</name>
    <message>
        <source>一级隐患当日报告</source>
        <translation>Same-day report of a level-1 hazard</translation>
    </message>
    <message>
        <source>一级（重大）</source>
        <translation>Level 1 (major)</translation>
    </message>
    <message>
        <source>一般生产安全事故</source>
        <translation>General production-safety accident</translation>
    </message>
    <message>
        <source>三级（一般）</source>
        <translation>Level 3 (general)</translation>
    </message>
    <message>
        <source>中风险</source>
        <translation>Medium risk</translation>
    </message>
    <message>
        <source>二级（较大）</source>
        <translation>Level 2 (serious)</translation>
    </message>
    <message>
        <source>低风险</source>
        <translation>Low risk</translation>
    </message>
    <message>
        <source>佐证材料</source>
        <translation>Evidence</translation>
    </message>
    <message>
        <source>停工</source>
        <translation>Stop work</translation>
    </message>
    <message>
        <source>全覆盖检查</source>
        <translation>Full-coverage inspection</translation>
    </message>
    <message>
        <source>关键工序检查</source>
        <translation>Key-procedure inspection</translation>
    </message>
    <message>
        <source>其他单位</source>
        <translation>Other organisation</translation>
    </message>
    <message>
        <source>内勤文员</source>
        <translation>Office clerk</translation>
    </message>
    <message>
        <source>危大工程专项检查</source>
        <translation>Targeted inspection of a hazardous work</translation>
    </message>
    <message>
        <source>只读审阅</source>
        <translation>Read-only reviewer</translation>
    </message>
    <message>
        <source>四级（低）</source>
        <translation>Level 4 (low)</translation>
    </message>
    <message>
        <source>在建</source>
        <translation>Under construction</translation>
    </message>
    <message>
        <source>在档</source>
        <translation>Archived</translation>
    </message>
    <message>
        <source>复查</source>
        <translation>Re-inspection</translation>
    </message>
    <message>
        <source>局部停工</source>
        <translation>Partial stop work</translation>
    </message>
    <message>
        <source>已下发通知</source>
        <translation>Notice issued</translation>
    </message>
    <message>
        <source>已批准销毁</source>
        <translation>Destruction approved</translation>
    </message>
    <message>
        <source>已撤销</source>
        <translation>Cancelled</translation>
    </message>
    <message>
        <source>已申请销毁</source>
        <translation>Destruction requested</translation>
    </message>
    <message>
        <source>已登记</source>
        <translation>Recorded</translation>
    </message>
    <message>
        <source>已签发</source>
        <translation>Signed</translation>
    </message>
    <message>
        <source>已被替代</source>
        <translation>Superseded</translation>
    </message>
    <message>
        <source>已销毁</source>
        <translation>Destroyed</translation>
    </message>
    <message>
        <source>已销项</source>
        <translation>Closed</translation>
    </message>
    <message>
        <source>市政基础设施工程</source>
        <translation>Municipal infrastructure works</translation>
    </message>
    <message>
        <source>建设主管部门</source>
        <translation>Construction authority</translation>
    </message>
    <message>
        <source>建设单位</source>
        <translation>Owner</translation>
    </message>
    <message>
        <source>待复查</source>
        <translation>Awaiting re-inspection</translation>
    </message>
    <message>
        <source>房屋建筑工程</source>
        <translation>Building works</translation>
    </message>
    <message>
        <source>扫描件</source>
        <translation>Scan</translation>
    </message>
    <message>
        <source>承保机构</source>
        <translation>Insurer</translation>
    </message>
    <message>
        <source>技术负责人</source>
        <translation>Technical lead</translation>
    </message>
    <message>
        <source>拒不整改报告</source>
        <translation>Refusal report</translation>
    </message>
    <message>
        <source>拖延整改报告</source>
        <translation>Delay report</translation>
    </message>
    <message>
        <source>整改中</source>
        <translation>Rectifying</translation>
    </message>
    <message>
        <source>整改前</source>
        <translation>Before rectification</translation>
    </message>
    <message>
        <source>整改后</source>
        <translation>After rectification</translation>
    </message>
    <message>
        <source>文书</source>
        <translation>Documents</translation>
    </message>
    <message>
        <source>施工单位</source>
        <translation>Contractor</translation>
    </message>
    <message>
        <source>无需停工</source>
        <translation>No stop needed</translation>
    </message>
    <message>
        <source>日常巡查</source>
        <translation>Routine patrol</translation>
    </message>
    <message>
        <source>检查人员</source>
        <translation>Inspector</translation>
    </message>
    <message>
        <source>漏判重大隐患</source>
        <translation>Missed major hazard</translation>
    </message>
    <message>
        <source>监理单位</source>
        <translation>Supervisor</translation>
    </message>
    <message>
        <source>竣工</source>
        <translation>Completed</translation>
    </message>
    <message>
        <source>系统管理员</source>
        <translation>System administrator</translation>
    </message>
    <message>
        <source>草稿</source>
        <translation>Draft</translation>
    </message>
    <message>
        <source>较严重二级隐患报告</source>
        <translation>Report of a serious level-2 hazard</translation>
    </message>
    <message>
        <source>较大及以上生产安全事故</source>
        <translation>Larger or worse production-safety accident</translation>
    </message>
    <message>
        <source>阶段检查</source>
        <translation>Stage inspection</translation>
    </message>
    <message>
        <source>首次风险辨识</source>
        <translation>First risk identification</translation>
    </message>
    <message>
        <source>高风险</source>
        <translation>High risk</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <source>登录 - {title}</source>
        <translation>Sign in - {title}</translation>
    </message>
    <message>
        <source>登录</source>
        <translation>Sign in</translation>
    </message>
    <message>
        <source>用户名</source>
        <translation>User name</translation>
    </message>
    <message>
        <source>密码</source>
        <translation>Password</translation>
    </message>
    <message>
        <source>请输入用户名和密码。</source>
        <translation>Please enter your user name and password.</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>文件(&amp;F)</source>
        <translation>&amp;File</translation>
    </message>
    <message>
        <source>打开数据文件夹</source>
        <translation>Open data folder</translation>
    </message>
    <message>
        <source>退出(&amp;Q)</source>
        <translation>&amp;Quit</translation>
    </message>
    <message>
        <source>编辑(&amp;E)</source>
        <translation>&amp;Edit</translation>
    </message>
    <message>
        <source>刷新当前页(&amp;R)</source>
        <translation>&amp;Refresh page</translation>
    </message>
    <message>
        <source>设置(&amp;S)…</source>
        <translation>&amp;Settings…</translation>
    </message>
    <message>
        <source>视图(&amp;V)</source>
        <translation>&amp;View</translation>
    </message>
    <message>
        <source>显示导航栏</source>
        <translation>Show navigation</translation>
    </message>
    <message>
        <source>帮助(&amp;H)</source>
        <translation>&amp;Help</translation>
    </message>
    <message>
        <source>关于(&amp;A)…</source>
        <translation>&amp;About…</translation>
    </message>
    <message>
        <source>打开日志文件夹</source>
        <translation>Open log folder</translation>
    </message>
    <message>
        <source>关于 Qt</source>
        <translation>About Qt</translation>
    </message>
    <message>
        <source>&lt;h3&gt;{title}&lt;/h3&gt;&lt;p&gt;版本 {version}&lt;/p&gt;&lt;p&gt;为安责险事故预防服务风控机构设计：项目、隐患闭环、检查、培训演练、档案与文书。&lt;/p&gt;&lt;p&gt;数据库：{database}&lt;/p&gt;&lt;p&gt;界面基于 Qt {qt}（PySide6 {pyside}）；内置字体文泉驿微米黑（Apache-2.0）。&lt;/p&gt;</source>
        <translation>&lt;h3&gt;{title}&lt;/h3&gt;&lt;p&gt;Version {version}&lt;/p&gt;&lt;p&gt;For risk-control agencies providing accident-prevention services under construction safety-liability insurance: projects, hazards to closure, inspections, training and drills, archives and documents.&lt;/p&gt;&lt;p&gt;Database: {database}&lt;/p&gt;&lt;p&gt;Built on Qt {qt} (PySide6 {pyside}); bundled font WenQuanYi Micro Hei (Apache-2.0).&lt;/p&gt;</translation>
    </message>
    <message>
        <source>关于</source>
        <translation>About</translation>
    </message>
    <message>
        <source>无法打开文件夹</source>
        <translation>Cannot open the folder</translation>
    </message>
</context>
<context>
    <name>Pages</name>
    <message>
        <source>档案</source>
        <translation>Archive</translation>
    </message>
    <message>
        <source>档案台账、保存期限、销毁申请与审批记录将在这里管理。</source>
        <translation>The archive ledger, retention periods, destruction requests and approvals will be managed here.</translation>
    </message>
    <message>
        <source>此功能的数据服务正在建设</source>
        <translation>The data service for this feature is being built</translation>
    </message>
    <message>
        <source>工作台</source>
        <translation>Dashboard</translation>
    </message>
    <message>
        <source>文书</source>
        <translation>Documents</translation>
    </message>
    <message>
        <source>整改通知书、停工建议书、报告单和月度、季度、年度报告将在这里生成、签发和报送。</source>
        <translation>Rectification notices, stop-work letters, hazard reports and the monthly, quarterly and annual reports will be produced, signed and submitted here.</translation>
    </message>
    <message>
        <source>隐患台账</source>
        <translation>Hazard register</translation>
    </message>
    <message>
        <source>检查记录</source>
        <translation>Inspections</translation>
    </message>
    <message>
        <source>首次风险辨识、全覆盖检查、阶段检查和危大工程专项检查的记录将在这里登记和确认。</source>
        <translation>Records of first risk identifications, full-coverage, stage and targeted inspections will be entered and confirmed here.</translation>
    </message>
    <message>
        <source>项目</source>
        <translation>Projects</translation>
    </message>
    <message>
        <source>项目档案（工程概况、保单、参建单位、施工阶段、危大工程、风险等级）将在这里登记和查询。</source>
        <translation>Project files (overview, policy, parties, construction stages, hazardous works, risk level) will be entered and searched here.</translation>
    </message>
    <message>
        <source>设置</source>
        <translation>Settings</translation>
    </message>
    <message>
        <source>培训与演练</source>
        <translation>Training and drills</translation>
    </message>
    <message>
        <source>培训场次、参训人员覆盖情况、应急预案协助和演练评估将在这里登记。</source>
        <translation>Training sessions, attendance coverage, emergency-plan assistance and drill evaluations will be recorded here.</translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <source>当前用户</source>
        <translation>Current user</translation>
    </message>
    <message>
        <source>修改密码…</source>
        <translation>Change password…</translation>
    </message>
    <message>
        <source>姓名</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>用户名</source>
        <translation>User name</translation>
    </message>
    <message>
        <source>角色</source>
        <translation>Role</translation>
    </message>
    <message>
        <source>本机</source>
        <translation>This computer</translation>
    </message>
    <message>
        <source>版本</source>
        <translation>Version</translation>
    </message>
    <message>
        <source>数据目录</source>
        <translation>Data folder</translation>
    </message>
    <message>
        <source>数据库</source>
        <translation>Database</translation>
    </message>
    <message>
        <source>附件库</source>
        <translation>Attachments</translation>
    </message>
    <message>
        <source>备份目录</source>
        <translation>Backup folder</translation>
    </message>
    <message>
        <source>日志文件</source>
        <translation>Log file</translation>
    </message>
    <message>
        <source>界面语言</source>
        <translation>Interface language</translation>
    </message>
    <message>
        <source>修改密码</source>
        <translation>Change password</translation>
    </message>
    <message>
        <source>密码已修改，下次登录请使用新密码。</source>
        <translation>Your password was changed; use the new one next time you sign in.</translation>
    </message>
    <message>
        <source>无法写入设置文件：{error}</source>
        <translation>Cannot write the settings file: {error}</translation>
    </message>
    <message>
        <source>设置未保存</source>
        <translation>Settings not saved</translation>
    </message>
    <message>
        <source>界面语言将在重新启动程序后生效。</source>
        <translation>The interface language changes when the program is restarted.</translation>
    </message>
</context>
<context>
    <name>StatusBar</name>
    <message>
        <source>数据库：{where}</source>
        <translation>Database: {where}</translation>
    </message>
    <message>
        <source>当前用户：{name}（{role}）</source>
        <translation>Signed in: {name} ({role})</translation>
    </message>
</context>
<context>
    <name>UserDialogs</name>
    <message>
        <source>两次输入的密码不一致</source>
        <translation>The two passwords do not match</translation>
    </message>
    <message>
        <source>修改密码</source>
        <translation>Change password</translation>
    </message>
    <message>
        <source>原密码</source>
        <translation>Current password</translation>
    </message>
    <message>
        <source>新密码</source>
        <translation>New password</translation>
    </message>
    <message>
        <source>确认新密码</source>
        <translation>Confirm new password</translation>
    </message>
    <message>
        <source>新建用户</source>
        <translation>New user</translation>
    </message>
    <message>
        <source>专职人员</source>
        <translation>Full-time staff</translation>
    </message>
    <message>
        <source>用户名</source>
        <translation>User name</translation>
    </message>
    <message>
        <source>姓名</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>角色</source>
        <translation>Role</translation>
    </message>
    <message>
        <source>职务/职称</source>
        <translation>Position/title</translation>
    </message>
    <message>
        <source>初始密码</source>
        <translation>Initial password</translation>
    </message>
    <message>
        <source>确认密码</source>
        <translation>Confirm password</translation>
    </message>
    <message>
        <source>修改角色和状态：{name}</source>
        <translation>Role and status: {name}</translation>
    </message>
    <message>
        <source>账户可用（取消勾选即停用，不能登录）</source>
        <translation>Account active (untick to disable sign-in)</translation>
    </message>
    <message>
        <source>重置密码：{name}</source>
        <translation>Reset password: {name}</translation>
    </message>
    <message>
        <source>该用户下次登录后应立即修改密码；账户锁定同时解除。</source>
        <translation>The user should change this password right after signing in; a lockout is lifted too.</translation>
    </message>
</context>
<context>
    <name>UsersPanel</name>
    <message>
        <source>用户管理</source>
        <translation>Users</translation>
    </message>
    <message>
        <source>新建用户…</source>
        <translation>New user…</translation>
    </message>
    <message>
        <source>修改角色/停用…</source>
        <translation>Role / disable…</translation>
    </message>
    <message>
        <source>重置密码…</source>
        <translation>Reset password…</translation>
    </message>
</context>
</TS>
